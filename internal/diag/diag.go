// Package diag holds diagnostics: problems found in a user's input, each with
// a source position, a one-line summary and a hint saying what to do.
//
// Every parser and checker in bulkhead (the layout file, IAM policy documents,
// plan files) reports through this type so that the CLI renders all of them
// the same way: "FILE:LINE:COL: summary" followed by an indented hint, or as
// JSON with the same fields. It must not import any other bulkhead package.
package diag

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says how bad a diagnostic is.
type Severity string

// Severities, in increasing order of gravity.
const (
	Info    Severity = "info"
	Warning Severity = "warning"
	Error   Severity = "error"
)

// Pos is a position in a source file. Line and Col are 1-based; zero means
// unknown (the diagnostic then names the file, or nothing).
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// String renders the position as FILE:LINE:COL, omitting unknown parts.
func (p Pos) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%d", p.Line)
		if p.Col > 0 {
			fmt.Fprintf(&b, ":%d", p.Col)
		}
	}
	return b.String()
}

// Diagnostic is one problem.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	Pos      Pos      `json:"pos"`
	// Code is a stable identifier for the kind of problem, such as
	// "unknown-field" or a lint rule id; scripts may match on it.
	Code string `json:"code,omitempty"`
	// Path is the dotted path of the field in the document, such as
	// "accounts.prod.unit", when known.
	Path    string `json:"path,omitempty"`
	Summary string `json:"summary"`
	// Hint says what to do about it, in one sentence.
	Hint string `json:"hint,omitempty"`
}

// String renders the diagnostic the way compilers do:
//
//	bulkhead.yaml:12:5: unknown field "acount" (did you mean "account"?)
//	    hint: ...
func (d Diagnostic) String() string {
	var b strings.Builder
	if pos := d.Pos.String(); pos != "" {
		b.WriteString(pos)
		b.WriteString(": ")
	}
	if d.Severity != "" && d.Severity != Error {
		b.WriteString(string(d.Severity))
		b.WriteString(": ")
	}
	b.WriteString(d.Summary)
	if d.Hint != "" {
		b.WriteString("\n    hint: ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// Diagnostics is a list of problems, reported all at once.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic has Error severity.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Sort orders diagnostics by file, line, column, then summary, so output is
// stable whatever order the checks ran in.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return ds[i].Summary < ds[j].Summary
	})
}

// Err returns the diagnostics as an error when any has Error severity, and
// nil otherwise.
func (ds Diagnostics) Err() error {
	if !ds.HasErrors() {
		return nil
	}
	return ErrorList(ds)
}

// ErrorList adapts Diagnostics to the error interface.
type ErrorList Diagnostics

func (e ErrorList) Error() string {
	lines := make([]string, 0, len(e))
	for _, d := range e {
		lines = append(lines, d.String())
	}
	return strings.Join(lines, "\n")
}

// Errorf builds an Error-severity diagnostic at pos.
func Errorf(pos Pos, hint, format string, args ...any) Diagnostic {
	return Diagnostic{Severity: Error, Pos: pos, Summary: fmt.Sprintf(format, args...), Hint: hint}
}

// Suggest returns the candidate closest to name by edit distance, or "" when
// none is close enough to be a plausible typo. Used for "did you mean".
func Suggest(name string, candidates []string) string {
	best, bestDist := "", len(name)/2+2
	lname := strings.ToLower(name)
	for _, c := range candidates {
		d := Distance(lname, strings.ToLower(c))
		if d < bestDist || (d == bestDist && best != "" && c < best) {
			best, bestDist = c, d
		}
	}
	if bestDist > 3 || bestDist > len(name)/2+1 {
		return ""
	}
	return best
}

// Distance is the Levenshtein (edit) distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
