package layout

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// Options control Parse.
type Options struct {
	// Dir is the directory policy files are relative to: normally the
	// layout file's directory.
	Dir string
	// ReadFile reads a policy file. Nil means policy files are not read
	// (their documents stay nil and are not checked). OSReadFile is the
	// implementation Load uses.
	ReadFile func(path string) ([]byte, error)
}

// Load reads the layout file at path, decodes it, reads the policy files
// it references, and validates everything. The error is for a layout file
// that cannot be read at all; every problem in its content is a
// diagnostic. The layout is nil only when the file is not YAML that could
// be decoded; with Error diagnostics it is partial and must not be applied.
func Load(path string) (*Layout, diag.Diagnostics, error) {
	src, err := OSReadFile(path, MaxFileSize)
	if err != nil {
		return nil, nil, fmt.Errorf("read layout %s: %s", path, readError(err))
	}
	l, ds := Parse(path, src, Options{
		Dir:      filepath.Dir(path),
		ReadFile: func(p string) ([]byte, error) { return OSReadFile(p, MaxPolicyFileSize) },
	})
	return l, ds, nil
}

// OSReadFile reads a regular file of at most limit bytes. A directory or
// other non-regular file gives ErrNotRegular, a larger file ErrTooLarge.
func OSReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	if st.Size() > limit {
		return nil, ErrTooLarge
	}
	// The size may change between Stat and Read; never read past the cap.
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, ErrTooLarge
	}
	return b, nil
}

// Parse decodes, expands and validates a layout held in memory. file is the
// name used in positions. It never panics, whatever src holds.
func Parse(file string, src []byte, opts Options) (l *Layout, ds diag.Diagnostics) {
	defer func() {
		if r := recover(); r != nil {
			// A bug in a check must not crash the CLI: report it instead.
			ds = append(ds, diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: file}, Code: "internal",
				Summary: fmt.Sprintf("internal error while checking the layout: %v", r),
				Hint:    "this is a bug in bulkhead; please report it with the layout file"})
			ds.Sort()
		}
	}()
	root, ds := parseYAML(file, src)
	if root == nil {
		return nil, ds
	}
	if root.kind == nullNode {
		ds = append(ds, diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: file, Line: 1, Col: 1}, Code: "empty",
			Summary: "the layout file is empty", Hint: "start from `bulkhead init`, or see docs/layout.md for the format"})
		return nil, ds
	}
	if root.kind != mapNode {
		ds = append(ds, diag.Diagnostic{Severity: diag.Error, Pos: root.pos, Code: "wrong-type",
			Summary: "the layout must be a YAML mapping (version:, organization:, accounts: ...), not " + root.describe(),
			Hint:    "is this the right file? see docs/layout.md for the format"})
		return nil, ds
	}
	l = &Layout{File: file, Dir: opts.Dir}
	d := &decoder{file: file, ds: ds}
	d.decodeLayout(root, l)
	v := &validator{l: l, ds: d.ds}
	v.expand()
	l.buildIndex()
	v.loadDocuments(opts)
	v.validate()
	v.ds.Sort()
	return l, v.ds
}

// validator holds the state of the checks after decoding.
type validator struct {
	l  *Layout
	ds diag.Diagnostics
}

func (v *validator) add(pos diag.Pos, code, path, hint, format string, args ...any) {
	v.ds = append(v.ds, diag.Diagnostic{Severity: diag.Error, Pos: pos, Code: code, Path: path,
		Summary: fmt.Sprintf(format, args...), Hint: hint})
}

func (v *validator) warn(pos diag.Pos, code, path, hint, format string, args ...any) {
	v.ds = append(v.ds, diag.Diagnostic{Severity: diag.Warning, Pos: pos, Code: code, Path: path,
		Summary: fmt.Sprintf(format, args...), Hint: hint})
}

// expand computes what the file implies: the parents of units, one account
// per developer for templates, effective emails, and implicit people.
func (v *validator) expand() {
	l := v.l
	// Units: add implied parents.
	have := map[string]*Unit{}
	for _, u := range l.Units {
		if _, dup := have[u.Path]; !dup {
			have[u.Path] = u
		}
	}
	for _, u := range append([]*Unit(nil), l.Units...) {
		parts := strings.Split(u.Path, "/")
		for i := 1; i < len(parts); i++ {
			p := strings.Join(parts[:i], "/")
			if _, ok := have[p]; !ok {
				nu := &Unit{Path: p, Pos: u.Pos}
				have[p] = nu
				l.Units = append(l.Units, nu)
			}
		}
	}
	for _, u := range l.Units {
		parts := strings.Split(u.Path, "/")
		u.Depth = len(parts)
		u.Name = parts[len(parts)-1]
		u.Parent = strings.Join(parts[:len(parts)-1], "/")
	}
	sort.SliceStable(l.Units, func(i, j int) bool { return l.Units[i].Path < l.Units[j].Path })

	// Accounts: expand templates.
	var accounts []*Account
	for _, a := range l.Accounts {
		if !a.ForEach.IsSet() {
			accounts = append(accounts, a)
			continue
		}
		l.Templates = append(l.Templates, a)
		for _, dev := range l.Developers {
			accounts = append(accounts, instantiate(a, dev.Value))
		}
	}
	l.Accounts = accounts
	for _, a := range l.Accounts {
		if a.Unit.Value == "root" {
			a.Unit.Value = "" // `unit: root` is the root, like no unit
		}
		a.EffectiveEmail = v.effectiveEmail(a)
	}

	// People: developers and group members are people even without an entry.
	known := map[string]bool{}
	for _, p := range l.People {
		known[p.Name.Value] = true
	}
	implicit := func(name Field[string]) {
		if name.Value != "" && !known[name.Value] {
			known[name.Value] = true
			l.People = append(l.People, &Person{Name: name, Pos: name.Pos})
		}
	}
	for _, d := range l.Developers {
		implicit(d)
	}
	for _, g := range l.Groups {
		for _, m := range g.Members {
			implicit(m)
		}
	}
}

// instantiate makes the account a template generates for one developer.
func instantiate(t *Account, dev string) *Account {
	sub := func(f Field[string]) Field[string] {
		f.Value = strings.ReplaceAll(f.Value, "{developer}", dev)
		return f
	}
	a := *t
	a.Template = t.Name.Value
	a.Developer = dev
	a.Name = sub(t.Name)
	a.Owner = sub(t.Owner)
	a.Email = sub(t.Email)
	a.BusinessUnit = sub(t.BusinessUnit)
	a.ForEach = Field[string]{}
	a.Tags = make([]Tag, len(t.Tags))
	for i, tg := range t.Tags {
		a.Tags[i] = Tag{Key: sub(tg.Key), Value: sub(tg.Value)}
	}
	return &a
}

// effectiveEmail is the root email address the account is created with.
func (v *validator) effectiveEmail(a *Account) string {
	o := v.l.Organization
	switch {
	case a.Email.Value != "":
		return strings.ReplaceAll(a.Email.Value, "{account}", a.Name.Value)
	case a.Name.Value == o.Management.Account.Value && o.Management.Email.Value != "":
		return o.Management.Email.Value
	case o.Email.Value != "":
		return strings.ReplaceAll(o.Email.Value, "{account}", a.Name.Value)
	}
	return ""
}

// loadDocuments reads and checks every policy document the layout uses.
func (v *validator) loadDocuments(opts Options) {
	ld := &docLoader{dir: opts.Dir, readFile: opts.ReadFile, cache: map[string]*Document{}, failed: map[string]bool{}, ds: &v.ds}
	for _, p := range v.l.Policies {
		path := join("policies", p.Name.Value)
		kind := kindForPolicyType(p.Type.Value)
		switch {
		case p.File.Value != "":
			p.Document = ld.load(p.File, path+".file", kind)
		case p.Document != nil:
			ld.check(p.Document, kind, path+".document")
		}
	}
	for _, r := range v.l.Roles {
		path := join("roles", r.Name.Value)
		for i := range r.Policies {
			ref := &r.Policies[i].Ref
			if ref.IsFile {
				ref.Document = ld.load(ref.Field, join(path+".policies", string(r.Policies[i].Kind.Value)), docIdentity)
			}
		}
		if r.Boundary != nil && r.Boundary.IsFile {
			r.Boundary.Document = ld.load(r.Boundary.Field, path+".boundary", docIdentity)
		}
	}
}
