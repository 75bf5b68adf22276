package layout

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Bounds on the work a single layout file may cause. They exist so that no
// input (hostile or accidental) can make bulkhead hang or exhaust memory.
const (
	// MaxFileSize caps the layout file. goccy/go-yaml parses in time that
	// grows faster than linearly with the input (about 2 s for 1.3 MB and
	// two minutes for 10 MB on a 2-core machine), so the cap is set where
	// parsing is still quick; 1 MiB holds over 10,000 accounts.
	MaxFileSize = 1 << 20
	// MaxDepth caps the nesting of mappings and sequences after alias
	// expansion. A layout nests about six levels.
	MaxDepth = 64
	// MaxNodes caps the number of nodes produced after alias expansion, so
	// that anchors referring to anchors ("billion laughs") cannot explode.
	MaxNodes = 500_000
)

// nodeKind is the shape of a YAML value.
type nodeKind int

const (
	nullNode nodeKind = iota
	scalarNode
	mapNode
	seqNode
)

func (k nodeKind) String() string {
	switch k {
	case scalarNode:
		return "a scalar"
	case mapNode:
		return "a mapping"
	case seqNode:
		return "a list"
	default:
		return "null"
	}
}

// scalarType is what a plain scalar resolved to under YAML's core schema.
type scalarType int

const (
	strScalar scalarType = iota
	intScalar
	floatScalar
	boolScalar
)

// node is a YAML value with aliases resolved: the small tree the schema
// decoder walks. It is built from goccy's AST once, with the bounds above.
type node struct {
	kind  nodeKind
	pos   diag.Pos
	text  string // scalar text (the value, unquoted)
	stype scalarType
	// quoted is true for a single- or double-quoted scalar: its position is
	// that of the opening quote.
	quoted bool
	keys   []*node // mapping keys (scalars), parallel to vals
	vals   []*node
	// merged marks entries that came from a merge key (<<); an explicit
	// key of the same name replaces them, as YAML's merge semantics say.
	merged    []bool
	hasMerged bool
	items     []*node // sequence items
}

// describe names the node's type for "wrong type" messages.
func (n *node) describe() string {
	if n.kind != scalarNode {
		return n.kind.String()
	}
	switch n.stype {
	case intScalar:
		return "an integer"
	case floatScalar:
		return "a number"
	case boolScalar:
		return "a boolean"
	}
	return "a string"
}

// parseYAML parses src into a node tree. It returns nil and diagnostics when
// the source is not a single well-formed YAML document within the bounds.
func parseYAML(file string, src []byte) (root *node, ds diag.Diagnostics) {
	if len(src) > MaxFileSize {
		return nil, diag.Diagnostics{{Severity: diag.Error, Pos: diag.Pos{File: file}, Code: "file-too-large",
			Summary: fmt.Sprintf("file is %d bytes; the limit is %d bytes (1 MiB)", len(src), MaxFileSize),
			Hint:    "a layout is normally a few kilobytes; check that this is the right file"}}
	}
	// A UTF-8 byte order mark is allowed at the start of a YAML stream.
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	if d, ok := prescan(file, src); !ok {
		return nil, diag.Diagnostics{d}
	}
	var f *ast.File
	var err error
	func() {
		// goccy/go-yaml is a third-party parser; a panic inside it on odd
		// input must become a diagnostic, never a crash.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("YAML parser failed on this input: %v", r)
			}
		}()
		f, err = parser.ParseBytes(src, 0, parser.AllowDuplicateMapKey())
	}()
	if err != nil {
		return nil, diag.Diagnostics{syntaxDiag(file, err)}
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return nil, diag.Diagnostics{{Severity: diag.Error, Pos: diag.Pos{File: file}, Code: "empty",
			Summary: "the layout file is empty",
			Hint:    "start from `bulkhead init`, or see docs/layout.md for the format"}}
	}
	if len(docs) > 1 {
		tk := docs[1].Start
		if tk == nil {
			tk = docs[1].GetToken()
		}
		return nil, diag.Diagnostics{{Severity: diag.Error, Pos: tokenPos(file, tk), Code: "yaml-syntax",
			Summary: "the layout file holds more than one YAML document",
			Hint:    "keep one document: remove the second `---` and what follows, or merge it into the first"}}
	}
	b := &builder{file: file, anchors: map[string]*anchor{}}
	func() {
		defer func() {
			if r := recover(); r != nil {
				b.ds = append(b.ds, diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: file}, Code: "yaml-syntax",
					Summary: fmt.Sprintf("cannot read the YAML structure: %v", r)})
				root = nil
			}
		}()
		root = b.build(docs[0].Body, 0)
	}()
	if b.budgetExceeded {
		return nil, b.ds
	}
	return root, b.ds
}

// syntaxDiag turns a goccy parse error into a diagnostic at its token.
func syntaxDiag(file string, err error) diag.Diagnostic {
	d := diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: file}, Code: "yaml-syntax",
		Hint: "fix the YAML syntax at this position (indent with spaces, not tabs; quote values containing ': ' or '#')"}
	var se *yaml.SyntaxError
	if errors.As(err, &se) {
		msg := se.GetMessage()
		if tk := se.GetToken(); tk != nil {
			d.Pos = tokenPos(file, tk)
		}
		if strings.Contains(msg, "\t") {
			msg = strings.ReplaceAll(msg, "\t", `\t`)
			d.Hint = "YAML does not allow tabs for indentation; indent with spaces"
		}
		d.Summary = "YAML syntax: " + msg
		return d
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	d.Summary = "YAML syntax: " + msg
	return d
}

func tokenPos(file string, tk *token.Token) diag.Pos {
	if tk == nil || tk.Position == nil {
		return diag.Pos{File: file}
	}
	return diag.Pos{File: file, Line: tk.Position.Line, Col: tk.Position.Column}
}

// builder converts goccy's AST into nodes, resolving aliases within a node
// budget and a depth bound.
type builder struct {
	file           string
	anchors        map[string]*anchor
	count          int
	budgetExceeded bool
	ds             diag.Diagnostics
}

// anchor is a built anchored value. Aliases share it rather than rebuild
// it, and add its size to the node count, so an alias costs O(1) to
// expand while the budget still bounds what the decoder will walk.
type anchor struct {
	built *node // nil while the anchored value is being built
	size  int
}

func (b *builder) pos(n ast.Node) diag.Pos { return tokenPos(b.file, n.GetToken()) }

func (b *builder) build(n ast.Node, depth int) *node {
	if b.budgetExceeded {
		return &node{kind: nullNode}
	}
	b.count++
	if b.count > MaxNodes {
		b.budgetExceeded = true
		b.ds = append(b.ds, diag.Diagnostic{Severity: diag.Error, Pos: b.pos(n), Code: "too-large",
			Summary: fmt.Sprintf("the document expands to more than %d values (aliases referring to aliases?)", MaxNodes),
			Hint:    "use fewer nested anchors and aliases (&name / *name)"})
		return &node{kind: nullNode}
	}
	if depth > MaxDepth {
		b.budgetExceeded = true
		b.ds = append(b.ds, diag.Diagnostic{Severity: diag.Error, Pos: b.pos(n), Code: "too-deep",
			Summary: fmt.Sprintf("nesting is deeper than %d levels (an alias that refers to itself?)", MaxDepth),
			Hint:    "flatten this structure; an anchor must not contain an alias to itself"})
		return &node{kind: nullNode}
	}
	switch n := n.(type) {
	case nil:
		return &node{kind: nullNode}
	case *ast.DocumentNode:
		return b.build(n.Body, depth)
	case *ast.AnchorNode:
		key := ""
		if n.Name != nil {
			key = n.Name.GetToken().Value
		}
		a := &anchor{}
		b.anchors[key] = a
		before := b.count
		out := b.build(n.Value, depth)
		a.built, a.size = out, b.count-before
		return out
	case *ast.AliasNode:
		name := ""
		if n.Value != nil {
			name = n.Value.GetToken().Value
		}
		a, ok := b.anchors[name]
		switch {
		case !ok:
			b.ds = append(b.ds, diag.Diagnostic{Severity: diag.Error, Pos: b.pos(n), Code: "yaml-syntax",
				Summary: fmt.Sprintf("alias *%s refers to no anchor defined before it", name),
				Hint:    fmt.Sprintf("define &%s earlier in the file, or fix the name", name)})
			// No position: the value is absent, and saying it is also of
			// the wrong type would repeat the same problem.
			return &node{kind: nullNode}
		case a.built == nil:
			b.budgetExceeded = true
			b.ds = append(b.ds, diag.Diagnostic{Severity: diag.Error, Pos: b.pos(n), Code: "yaml-syntax",
				Summary: fmt.Sprintf("alias *%s is inside the value it refers to (a recursive structure)", name),
				Hint:    "an anchor must not contain an alias to itself"})
			return &node{kind: nullNode}
		}
		b.count += a.size
		if b.count > MaxNodes {
			b.budgetExceeded = true
			b.ds = append(b.ds, diag.Diagnostic{Severity: diag.Error, Pos: b.pos(n), Code: "too-large",
				Summary: fmt.Sprintf("the document expands to more than %d values (aliases referring to aliases?)", MaxNodes),
				Hint:    "use fewer nested anchors and aliases (&name / *name)"})
			return &node{kind: nullNode}
		}
		// Report problems in aliased values where the alias is used; the
		// subtree below is shared and never modified.
		cp := *a.built
		cp.pos = b.pos(n)
		return &cp
	case *ast.TagNode:
		return b.build(n.Value, depth)
	case *ast.MappingNode:
		m := &node{kind: mapNode, pos: b.pos(n)}
		if len(n.Values) > 0 {
			m.pos = b.pos(n.Values[0].Key)
		}
		for _, mv := range n.Values {
			b.addEntry(m, mv, depth)
		}
		return m
	case *ast.MappingValueNode:
		m := &node{kind: mapNode, pos: b.pos(n.Key)}
		b.addEntry(m, n, depth)
		return m
	case *ast.SequenceNode:
		s := &node{kind: seqNode, pos: b.pos(n)}
		for _, v := range n.Values {
			s.items = append(s.items, b.build(v, depth+1))
		}
		return s
	case *ast.NullNode:
		return &node{kind: nullNode, pos: b.pos(n)}
	case *ast.StringNode:
		tk := n.GetToken()
		q := tk != nil && (tk.Type == token.SingleQuoteType || tk.Type == token.DoubleQuoteType)
		return &node{kind: scalarNode, pos: b.pos(n), text: n.Value, quoted: q}
	case *ast.LiteralNode:
		text := ""
		if n.Value != nil {
			text = n.Value.Value
		}
		return &node{kind: scalarNode, pos: b.pos(n), text: text}
	case *ast.IntegerNode:
		return &node{kind: scalarNode, pos: b.pos(n), text: n.GetToken().Value, stype: intScalar}
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return &node{kind: scalarNode, pos: b.pos(n), text: n.GetToken().Value, stype: floatScalar}
	case *ast.BoolNode:
		return &node{kind: scalarNode, pos: b.pos(n), text: n.GetToken().Value, stype: boolScalar}
	case *ast.MappingKeyNode:
		return b.build(n.Value, depth)
	default:
		if tk := n.GetToken(); tk != nil {
			return &node{kind: scalarNode, pos: b.pos(n), text: tk.Value}
		}
		return &node{kind: nullNode, pos: b.pos(n)}
	}
}

// addEntry appends one key: value pair to m, expanding merge keys (<<).
func (b *builder) addEntry(m *node, mv *ast.MappingValueNode, depth int) {
	if mv == nil || mv.Key == nil {
		return
	}
	if mv.Key.IsMergeKey() {
		src := b.build(mv.Value, depth+1)
		merge := []*node{src}
		if src.kind == seqNode {
			merge = src.items
		}
		for _, s := range merge {
			if s.kind != mapNode {
				b.ds = append(b.ds, diag.Diagnostic{Severity: diag.Error, Pos: s.pos, Code: "wrong-type",
					Summary: "a merge key (<<) needs a mapping or a list of mappings", Hint: "merge an alias to a mapping, such as <<: *defaults"})
				continue
			}
			for i, k := range s.keys {
				if keyIndex(m, k.text) < 0 {
					m.keys, m.vals, m.merged = append(m.keys, k), append(m.vals, s.vals[i]), append(m.merged, true)
					m.hasMerged = true
				}
			}
		}
		return
	}
	k := b.build(mv.Key, depth+1)
	if k.kind == mapNode || k.kind == seqNode {
		b.ds = append(b.ds, diag.Diagnostic{Severity: diag.Error, Pos: k.pos, Code: "wrong-type",
			Summary: "a mapping key must be a plain value, not " + k.kind.String(), Hint: "use a string as the key"})
		return
	}
	v := b.build(mv.Value, depth+1)
	if m.hasMerged {
		if i := keyIndex(m, k.text); i >= 0 && m.merged[i] {
			m.keys[i], m.vals[i], m.merged[i] = k, v, false
			return
		}
	}
	m.keys, m.vals, m.merged = append(m.keys, k), append(m.vals, v), append(m.merged, false)
}

func keyIndex(m *node, key string) int {
	for i, k := range m.keys {
		if k.text == key {
			return i
		}
	}
	return -1
}
