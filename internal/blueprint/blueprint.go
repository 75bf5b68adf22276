// Package blueprint writes a starting bulkhead.yaml and the policy files it
// references, following one of the playbook's account structures (the seeds
// in shared/seeds): startup (seeds 000, 001, 003), business-units (seed 002)
// or minimal.
//
// Generate is pure: options in, file contents out, byte-for-byte the same for
// the same options. It must not touch the file system (the CLI decides where
// and whether to write) and must not decode the layout file: the text it
// produces is checked by tests that load it through internal/layout.
package blueprint

import (
	"fmt"
	"strconv"
	"strings"
)

// LayoutFile is the path Generate gives the layout file; the CLI writes it
// wherever -f says. Every other file's path is relative to the layout file's
// directory, as the layout's own references (file: policies/x.json) are.
const LayoutFile = "bulkhead.yaml"

// File is one generated file.
type File struct {
	Path string // slash-separated, relative to the layout file's directory
	Data []byte
}

// Result is what Generate produced.
type Result struct {
	// Options are the options after defaults (the organization name derived
	// from the domain, the default stages, ...).
	Options Options
	// Files are the layout file first, then the policy files by path.
	Files []File
}

// Generate renders the blueprint the options choose. Invalid options yield
// an Errors listing every problem, each naming its flag.
func Generate(opts Options) (*Result, error) {
	o, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	d := &doc{}
	switch o.Blueprint {
	case Startup:
		writeStartup(d, o)
	case BusinessUnits:
		writeBusinessUnits(d, o)
	case Minimal:
		writeMinimal(d, o)
	default:
		return nil, fmt.Errorf("blueprint %q: not implemented", o.Blueprint)
	}
	files := []File{{Path: LayoutFile, Data: []byte(d.String())}}
	files = append(files, policyFiles(o)...)
	return &Result{Options: o, Files: files}, nil
}

// doc accumulates YAML text line by line. Comments are part of the product
// here: the generated file is the user's first documentation.
type doc struct {
	b strings.Builder
	// off writes lines (at indentation 1 or more) as comments: YAML the
	// user can uncomment later (the sandbox template, while there are no
	// developers).
	off bool
}

func (d *doc) String() string { return d.b.String() }

// line writes one line at the given indentation (two spaces per level).
func (d *doc) line(indent int, format string, args ...any) {
	if d.off && indent > 0 {
		// "  # key:" then "  #   child:": removing "# " restores the YAML.
		d.b.WriteString("  # ")
		d.b.WriteString(strings.Repeat("  ", indent-1))
	} else {
		d.b.WriteString(strings.Repeat("  ", indent))
	}
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteByte('\n')
}

// comment writes each line of text as a "# " comment at the indentation.
func (d *doc) comment(indent int, text string) {
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		l = strings.TrimRight(l, " ")
		if l == "" {
			d.line(indent, "#")
			continue
		}
		d.line(indent, "# %s", l)
	}
}

func (d *doc) blank() { d.b.WriteByte('\n') }

// q renders s as a YAML scalar that decodes back to the string s: bare when
// that is unambiguous, double-quoted otherwise (placeholders, globs, emails,
// and words YAML 1.1 would read as booleans, nulls or numbers).
func q(s string) string {
	if bare(s) {
		return s
	}
	return strconv.Quote(s)
}

func bare(s string) bool {
	if s == "" {
		return false
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~":
		return false
	}
	if !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false // digits could read as numbers; others as YAML syntax
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '/' || c == '.' || c == '@' || c == '+'
		if !ok {
			return false
		}
	}
	return true
}

// list renders a flow sequence [a, b] of scalars.
func list(items []string) string {
	qs := make([]string, len(items))
	for i, s := range items {
		qs[i] = q(s)
	}
	return "[" + strings.Join(qs, ", ") + "]"
}

// command is the `bulkhead init` line that regenerates o, for the header.
func command(o Options) string {
	parts := []string{"bulkhead init", "--blueprint " + o.Blueprint, "--name " + o.Name, "--domain " + o.Domain}
	if len(o.Developers) > 0 {
		parts = append(parts, "--developers "+strings.Join(o.Developers, ","))
	}
	if o.Blueprint != Minimal {
		stages := strings.Join(o.Stages, ",")
		if stages == "" {
			stages = `""`
		}
		parts = append(parts, "--stages "+stages)
	}
	if o.Blueprint == BusinessUnits {
		parts = append(parts, "--business-units "+strings.Join(o.BusinessUnits, ","))
	}
	return strings.Join(parts, " ")
}
