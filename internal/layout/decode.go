package layout

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// decoder turns the node tree into the model, collecting every problem.
type decoder struct {
	file string
	ds   diag.Diagnostics
	// misspelt holds the paths of known fields that an unknown key was
	// taken for ("acount" → "account"), so the field is not also reported
	// as missing: one typo, one diagnostic.
	misspelt map[string]bool
}

func (d *decoder) add(pos diag.Pos, code, path, hint, format string, args ...any) {
	d.ds = append(d.ds, diag.Diagnostic{Severity: diag.Error, Pos: pos, Code: code, Path: path,
		Summary: fmt.Sprintf(format, args...), Hint: hint})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// fields walks the mapping n, calling fn for each known key in file order.
// It reports unknown keys (with a did-you-mean), duplicate keys, and a
// value that is not a mapping. It returns false when n is not a mapping.
func (d *decoder) fields(n *node, path string, known []string, fn func(key string, k, v *node)) bool {
	if !d.isMap(n, path) {
		return false
	}
	seen := make(map[string]*node, len(n.keys))
	for i, k := range n.keys {
		v := n.vals[i]
		if first, dup := seen[k.text]; dup {
			d.add(k.pos, "duplicate-key", join(path, k.text),
				"remove one of them; YAML keeps only one value per key",
				"duplicate key %q (first at %d:%d)", k.text, first.pos.Line, first.pos.Col)
			continue
		}
		seen[k.text] = k
		if !contains(known, k.text) {
			msg := fmt.Sprintf("unknown field %q", k.text)
			hint := "known fields here: " + strings.Join(sorted(known), ", ")
			if s := diag.Suggest(k.text, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
				if d.misspelt == nil {
					d.misspelt = map[string]bool{}
				}
				d.misspelt[join(path, s)] = true
			}
			d.add(k.pos, "unknown-field", join(path, k.text), hint, "%s", msg)
			continue
		}
		fn(k.text, k, v)
	}
	return true
}

// entries walks a mapping whose keys are names (accounts, groups, ...),
// reporting duplicates, and calls fn for each entry in file order.
func (d *decoder) entries(n *node, path, what string, fn func(name string, k, v *node)) {
	if !d.isMap(n, path) {
		return
	}
	seen := make(map[string]*node, len(n.keys))
	for i, k := range n.keys {
		if first, dup := seen[k.text]; dup {
			d.add(k.pos, "duplicate-key", join(path, k.text),
				fmt.Sprintf("each %s needs a unique name; rename or remove one", what),
				"duplicate %s %q (first at %d:%d)", what, k.text, first.pos.Line, first.pos.Col)
			continue
		}
		seen[k.text] = k
		if k.kind == nullNode || k.text == "" {
			d.add(k.pos, "wrong-type", path, "give it a name", "empty %s name", what)
			continue
		}
		fn(k.text, k, n.vals[i])
	}
}

func (d *decoder) isMap(n *node, path string) bool {
	if n.kind == mapNode {
		return true
	}
	if n.kind == nullNode && n.pos.Line == 0 {
		return false
	}
	d.add(n.pos, "wrong-type", path, "write it as `key: value` lines (or {key: value})",
		"%s must be a mapping, not %s", nameOf(path), n.describe())
	return false
}

// list returns the items of a sequence node; a scalar is accepted as a
// one-item list when single is true.
func (d *decoder) list(n *node, path string, single bool) []*node {
	switch {
	case n.kind == seqNode:
		return n.items
	case single && n.kind == scalarNode:
		return []*node{n}
	case n.kind == nullNode:
		return nil
	}
	hint := "write it as a list: [a, b] or lines starting with '- '"
	d.add(n.pos, "wrong-type", path, hint, "%s must be a list, not %s", nameOf(path), n.describe())
	return nil
}

func (d *decoder) str(n *node, path string) Field[string] {
	if f, ok := adjacentColon(n); ok {
		return f
	}
	switch {
	case n.kind == scalarNode && n.stype != boolScalar:
		return Field[string]{Value: n.text, Pos: n.pos}
	case n.kind == scalarNode:
		d.add(n.pos, "wrong-type", path, fmt.Sprintf("quote it if you mean the text: %q", n.text),
			"%s must be a string, not %s", nameOf(path), n.describe())
	case n.kind == nullNode:
		d.add(n.pos, "wrong-type", path, "give it a value or remove the field", "%s is empty", nameOf(path))
	case n.kind == mapNode && len(n.keys) == 1 && n.vals[0].kind == nullNode:
		// `account: {stage}` is a YAML mapping, not the placeholder.
		d.add(n.pos, "wrong-type", path, fmt.Sprintf("quote it: \"{%s}\"; YAML reads an unquoted {...} as a mapping", n.keys[0].text),
			"%s must be a string, not a mapping", nameOf(path))
	default:
		d.add(n.pos, "wrong-type", path, "give a single value here", "%s must be a string, not %s", nameOf(path), n.describe())
	}
	return Field[string]{Pos: n.pos}
}

func (d *decoder) strList(n *node, path string, single bool) []Field[string] {
	items := d.list(n, path, single)
	out := make([]Field[string], 0, len(items))
	for i, it := range items {
		p := index(path, i)
		if single && n.kind == scalarNode {
			p = path
		}
		if f := d.str(it, p); f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

func (d *decoder) integer(n *node, path string) Field[int] {
	if n.kind == scalarNode && n.stype == intScalar {
		v, err := strconv.ParseInt(strings.ReplaceAll(n.text, "_", ""), 0, 64)
		if err == nil && v >= -1<<31 && v <= 1<<31-1 {
			return Field[int]{Value: int(v), Pos: n.pos}
		}
		d.add(n.pos, "wrong-type", path, "use a smaller number", "%s: %s is out of range", nameOf(path), n.text)
		return Field[int]{Pos: n.pos}
	}
	d.add(n.pos, "wrong-type", path, "write a whole number, such as 5", "%s must be an integer, not %s", nameOf(path), n.describe())
	return Field[int]{Pos: n.pos}
}

func (d *decoder) boolean(n *node, path string) Field[bool] {
	if n.kind == scalarNode && n.stype == boolScalar {
		return Field[bool]{Value: strings.EqualFold(n.text, "true"), Pos: n.pos}
	}
	d.add(n.pos, "wrong-type", path, "write true or false", "%s must be true or false, not %s", nameOf(path), n.describe())
	return Field[bool]{Pos: n.pos}
}

// enum decodes a string that must be one of allowed.
func enum[T ~string](d *decoder, n *node, path string, allowed []T) Field[T] {
	s := d.str(n, path)
	if s.Value == "" {
		return Field[T]{Pos: s.Pos}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
		if string(a) == s.Value {
			return Field[T]{Value: a, Pos: s.Pos}
		}
	}
	msg := fmt.Sprintf("%s: %q is not one of %s", nameOf(path), s.Value, strings.Join(names, ", "))
	if sg := diag.Suggest(s.Value, names); sg != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", sg)
	}
	d.add(s.Pos, "bad-value", path, "use one of: "+strings.Join(names, ", "), "%s", msg)
	return Field[T]{Pos: s.Pos}
}

// required reports a missing required field of the mapping at pos.
func (d *decoder) required(f diag.Pos, pos diag.Pos, path, field, hint string) {
	if f.Line == 0 && !d.misspelt[join(path, field)] {
		d.add(pos, "missing-field", join(path, field), hint, "%s is missing required field %q", nameOf(path), field)
	}
}

// nameOf renders a path for messages: "accounts.prod.unit" → "accounts.prod.unit",
// "" → "the layout".
func nameOf(path string) string {
	if path == "" {
		return "the layout"
	}
	return path
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sorted(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}

// adjacentColon recognizes "group:engineers" that goccy/go-yaml read as a
// one-entry mapping {group: engineers}: inside nested flow collections it
// takes a colon followed by no space as a mapping indicator, where YAML 1.2
// keeps it in the plain scalar. The value starting right after the colon
// tells the two apart; the text is rebuilt as written.
func adjacentColon(n *node) (Field[string], bool) {
	if n.kind != mapNode || len(n.keys) != 1 {
		return Field[string]{}, false
	}
	k, v := n.keys[0], n.vals[0]
	if k.quoted || v.kind != scalarNode || v.quoted || v.pos.Line != k.pos.Line || v.pos.Col != k.pos.Col+len([]rune(k.text))+1 {
		return Field[string]{}, false
	}
	return Field[string]{Value: k.text + ":" + v.text, Pos: k.pos}, true
}
