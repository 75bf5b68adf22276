package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// MaxPolicyFileSize caps a policy file read from the layout. The largest
// AWS policy document is 10,240 characters (a raised SCP quota) and IAM
// managed policies stop at 6,144; 256 KiB leaves room for whitespace.
const MaxPolicyFileSize = 256 << 10

// ErrNotRegular is returned by a ReadFile function for a path that is a
// directory or another non-regular file.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned by a ReadFile function for a file over its cap.
var ErrTooLarge = errors.New("file too large")

// docLoader reads and checks the policy documents a layout references,
// each file once however often it is referenced.
type docLoader struct {
	dir      string
	readFile func(string) ([]byte, error)
	cache    map[string]*Document // by kind and reference
	failed   map[string]bool      // references that could not be read or are not JSON
	ds       *diag.Diagnostics
}

func (l *docLoader) add(d diag.Diagnostic) { *l.ds = append(*l.ds, d) }

// load returns the document at ref (relative to the layout's directory),
// checked as a policy of the given kind; nil when it cannot be read.
// kindName is used in messages ("SCP", "IAM policy", ...).
func (l *docLoader) load(ref Field[string], path string, kind docKind) *Document {
	key := fmt.Sprintf("%d:%s", kind, ref.Value)
	if doc, ok := l.cache[key]; ok {
		return doc
	}
	l.cache[key] = nil
	if l.readFile == nil || l.failed[ref.Value] {
		// A file that could not be read or is not JSON is reported once,
		// at its first reference.
		return nil
	}
	full := ref.Value
	if !filepath.IsAbs(full) && l.dir != "" {
		full = filepath.Join(l.dir, full)
	}
	src, err := l.readFile(full)
	if err != nil {
		l.failed[ref.Value] = true
		l.add(diag.Diagnostic{Severity: diag.Error, Pos: ref.Pos, Code: "policy-file", Path: path,
			Summary: fmt.Sprintf("policy file %s: %s", ref.Value, readError(err)),
			Hint:    "paths are relative to the layout file's directory; a value without \"/\" or \".json\" names an AWS managed policy"})
		return nil
	}
	// Editors on Windows may save a byte order mark, which JSON forbids.
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	doc := &Document{File: full, Pos: diag.Pos{File: full, Line: 1, Col: 1}, Source: src}
	if !l.check(doc, kind, path) {
		l.failed[ref.Value] = true
		return nil
	}
	l.cache[key] = doc
	return doc
}

func readError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, ErrNotRegular):
		return "is a directory or not a regular file"
	case errors.Is(err, ErrTooLarge):
		return fmt.Sprintf("larger than %d bytes; policy documents are at most a few kilobytes", MaxPolicyFileSize)
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}

// docKind is what grammar a document must follow.
type docKind int

const (
	docIdentity docKind = iota // IAM identity policy or permissions boundary
	docSCP
	docRCP
	docTag    // Organizations tag policy (management policy syntax, not IAM)
	docBackup // Organizations backup policy
)

func kindForPolicyType(t PolicyType) docKind {
	switch t {
	case "":
		// The type is missing or invalid (reported already): check the
		// JSON only, not a grammar the user may not have meant.
		return docTag
	case PolicyRCP:
		return docRCP
	case PolicyTag:
		return docTag
	case PolicyBackup:
		return docBackup
	}
	return docSCP
}

// check validates the document's JSON and grammar and fills Content. It
// returns false when the document is not JSON.
func (l *docLoader) check(doc *Document, kind docKind, path string) bool {
	var buf bytes.Buffer
	if err := json.Compact(&buf, doc.Source); err != nil {
		// json.Compact does not say where; Unmarshal's SyntaxError does.
		var v any
		if uerr := json.Unmarshal(doc.Source, &v); uerr != nil {
			err = uerr
		}
		line, col := 1, 1
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col = lineCol(doc.Source, int(se.Offset))
		}
		pos := diag.Pos{File: doc.File, Line: line, Col: col}
		if doc.File == "" {
			pos = doc.Pos
		}
		l.add(diag.Diagnostic{Severity: diag.Error, Pos: pos, Code: "policy-json", Path: path,
			Summary: "invalid JSON: " + err.Error(),
			Hint:    "a policy document is one JSON object; check for a missing comma or quote just before this position"})
		return false
	}
	doc.Content = buf.String()
	switch kind {
	case docTag, docBackup:
		if doc.Content == "" || doc.Content[0] != '{' {
			l.add(diag.Diagnostic{Severity: diag.Error, Pos: doc.Pos, Code: "policy-grammar", Path: path,
				Summary: "a policy document must be a JSON object", Hint: "wrap the document in { }"})
		}
		return true
	}
	opts := policy.ParseOptions{File: doc.File, Kind: policy.Identity}
	switch kind {
	case docSCP:
		opts.Kind = policy.SCP
	case docRCP:
		opts.Kind = policy.RCP
	}
	p, ds := policy.Parse(doc.Source, opts)
	doc.Policy = p
	for _, d := range ds {
		if doc.File == "" {
			// Inline documents are rendered from YAML: point at the YAML
			// node the JSON position came from.
			d.Summary = fmt.Sprintf("%s (in the inline document)", d.Summary)
			d.Pos = doc.yamlPos(d.Pos)
		}
		if d.Path == "" {
			d.Path = path
		}
		l.add(d)
	}
	return true
}

// lineCol converts a byte offset in src into a 1-based line and column.
func lineCol(src []byte, off int) (int, int) {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	line := 1 + bytes.Count(src[:off], []byte{'\n'})
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	col := len([]rune(string(src[start:off])))
	if col == 0 {
		col = 1
	}
	return line, col
}

// inlineDocument renders an inline `document:` mapping as JSON on one line,
// recording where each YAML node's rendering starts so that problems found
// in the JSON point back at the YAML. The checks run later with the other
// documents (see loadDocuments).
func (d *decoder) inlineDocument(n *node, path string) *Document {
	if n.kind != mapNode {
		d.add(n.pos, "wrong-type", path, "write the policy as a YAML mapping with Version and Statement",
			"%s must be a mapping, not %s", path, n.describe())
		return nil
	}
	w := &jsonWriter{}
	w.write(n)
	return &Document{Pos: n.pos, Source: w.b.Bytes(), spans: w.spans}
}

// span says that the JSON from byte offset start on renders the YAML
// value at pos (until the next span).
type span struct {
	start int
	pos   diag.Pos
}

// yamlPos maps a position in an inline document's rendered JSON (always
// line 1) back to the YAML node it came from.
func (doc *Document) yamlPos(p diag.Pos) diag.Pos {
	if p.Line != 1 || len(doc.spans) == 0 {
		return doc.Pos
	}
	off := p.Col - 1
	best := doc.Pos
	for _, s := range doc.spans {
		if s.start > off {
			break
		}
		best = s.pos
	}
	return best
}

type jsonWriter struct {
	b     bytes.Buffer
	spans []span
}

func (w *jsonWriter) mark(n *node) {
	if n.pos.Line > 0 {
		w.spans = append(w.spans, span{start: w.b.Len(), pos: n.pos})
	}
}

// write renders a node tree as JSON, keeping the order of keys. Plain
// scalars keep their YAML type (numbers and booleans); everything else is
// a string.
func (w *jsonWriter) write(n *node) {
	w.mark(n)
	b := &w.b
	switch n.kind {
	case nullNode:
		b.WriteString("null")
	case scalarNode:
		switch n.stype {
		case intScalar, floatScalar:
			if _, err := strconv.ParseFloat(n.text, 64); err == nil && !n.quoted {
				b.WriteString(n.text)
				return
			}
		case boolScalar:
			if !n.quoted {
				b.WriteString(strings.ToLower(n.text))
				return
			}
		}
		s, _ := json.Marshal(n.text)
		b.Write(s)
	case seqNode:
		b.WriteByte('[')
		for i, it := range n.items {
			if i > 0 {
				b.WriteByte(',')
			}
			w.write(it)
		}
		b.WriteByte(']')
	case mapNode:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			w.mark(k)
			s, _ := json.Marshal(k.text)
			b.Write(s)
			b.WriteByte(':')
			w.write(n.vals[i])
		}
		b.WriteByte('}')
	}
}
