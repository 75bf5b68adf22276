package layout

import (
	"fmt"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// Bounds checked on the raw text before the YAML parser sees it. goccy/
// go-yaml recurses once per nesting level and once per entry of a block
// mapping (each entry's recursion copies the entries after it), so deep
// nesting and very long mappings cost it quadratic time and stack; these
// bounds keep any 1 MiB input to about a second of parsing.
const (
	// maxFlowDepth caps nested [ and { brackets.
	maxFlowDepth = 32
	// maxIndent caps the indentation of a line in columns, counting the
	// "- " and "? " indicators at its start. A layout, inline policy
	// documents included, stays under about 30.
	maxIndent = 80
	// maxEntries caps the entries of one block mapping or sequence: AWS
	// Organizations allows at most 10,000 accounts
	// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
	maxEntries = 10_000
	// maxEntryWork caps the sum over all block collections of their
	// entry count squared: the parser's work on them.
	maxEntryWork = maxEntries * maxEntries
	// maxFlowItems caps the number of [, { and , inside brackets in the
	// file: the parser's flow collections and entries. A 10,000-account
	// layout written in flow style has about 50,000.
	maxFlowItems = 150_000
)

// prescan checks the bounds above in one pass over src. It recognizes
// just enough YAML (quotes, comments, flow brackets, indentation) to be
// conservative: it may count a multi-line plain scalar's lines as entries,
// which only matters for inputs far larger than any layout.
func prescan(file string, src []byte) (diag.Diagnostic, bool) {
	tooDeep := func(line, col int, what string) (diag.Diagnostic, bool) {
		return diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: file, Line: line, Col: col}, Code: "too-deep",
			Summary: "nesting is too deep (" + what + ")",
			Hint:    "a layout nests a handful of levels; flatten this structure"}, false
	}
	tooMany := func(line int) (diag.Diagnostic, bool) {
		return diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: file, Line: line}, Code: "too-large",
			Summary: fmt.Sprintf("too many values in [ ] and { } (more than %d)", maxFlowItems),
			Hint:    "check that this is a layout file; a layout of 10,000 accounts has far fewer"}, false
	}
	type group struct{ indent, count int }
	var stack []group
	work := 0
	line, flow, flows := 1, 0, 0
	atLineStart, indent := true, 0
	var quote byte
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\n' {
			line++
			atLineStart, indent = true, 0
			continue
		}
		if quote != 0 {
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		if atLineStart {
			if c == ' ' || ((c == '-' || c == '?') && (i+1 == len(src) || src[i+1] == ' ' || src[i+1] == '\n')) {
				indent++
				if indent > maxIndent {
					return tooDeep(line, indent, fmt.Sprintf("more than %d columns of indentation", maxIndent))
				}
				continue
			}
			atLineStart = false
			if c != '#' && c != '\r' && flow == 0 {
				// A new entry at this indentation: count it in its
				// block collection.
				for len(stack) > 0 && stack[len(stack)-1].indent > indent {
					stack = stack[:len(stack)-1]
				}
				if len(stack) > 0 && stack[len(stack)-1].indent == indent {
					g := &stack[len(stack)-1]
					work += 2*g.count + 1 // (n+1)² - n²
					g.count++
					if g.count > maxEntries || work > maxEntryWork {
						return diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: file, Line: line, Col: indent + 1}, Code: "too-large",
							Summary: fmt.Sprintf("too many entries (%d at this level; at most %d in one list or mapping)", g.count, maxEntries),
							Hint:    "a layout has at most 10,000 accounts, AWS's limit per organization; split the file or check that it is a layout"}, false
					}
				} else {
					stack = append(stack, group{indent: indent, count: 1})
					work++
				}
			}
		}
		switch c {
		case '#':
			if i == 0 || src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n' {
				for i < len(src) && src[i] != '\n' {
					i++
				}
				i--
			}
		case '"':
			quote = c
		case '\'':
			if i == 0 || strings.IndexByte(" \t[{,:\n", src[i-1]) >= 0 {
				quote = c
			}
		case ',':
			if flow > 0 {
				flows++
				if flows > maxFlowItems {
					return tooMany(line)
				}
			}
		case '[', '{':
			flow++
			flows++
			if flows > maxFlowItems {
				return tooMany(line)
			}
			if flow > maxFlowDepth {
				return tooDeep(line, 0, fmt.Sprintf("more than %d levels of brackets", maxFlowDepth))
			}
		case ']', '}':
			if flow > 0 {
				flow--
			}
		}
	}
	return diag.Diagnostic{}, true
}
