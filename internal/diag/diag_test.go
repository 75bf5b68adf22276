package diag

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSuggest(t *testing.T) {
	known := []string{"account", "unit", "kind", "protected", "tags"}
	for _, c := range []struct{ in, want string }{
		{"acount", "account"},
		{"unti", "unit"},
		{"Kind", "kind"},
		{"protectd", "protected"},
		{"zzzzzz", ""}, // nothing close: no guess
		{"x", ""},
	} {
		if got := Suggest(c.in, known); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"unit", "unti", 2}, {"same", "same", 0},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestRenderAndSort(t *testing.T) {
	ds := Diagnostics{
		{Severity: Warning, Pos: Pos{File: "b.yaml", Line: 1, Col: 1}, Summary: "w"},
		{Severity: Error, Pos: Pos{File: "a.yaml", Line: 12, Col: 5}, Summary: `unknown field "acount"`, Hint: "known fields here: account"},
		{Severity: Error, Pos: Pos{File: "a.yaml", Line: 3}, Summary: "no column"},
		{Severity: Error, Summary: "nowhere"},
	}
	ds.Sort()
	var got []string
	for _, d := range ds {
		got = append(got, d.String())
	}
	want := []string{
		"nowhere",
		"a.yaml:3: no column",
		"a.yaml:12:5: unknown field \"acount\"\n    hint: known fields here: account",
		"b.yaml:1:1: warning: w",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !ds.HasErrors() || ds.Err() == nil {
		t.Error("errors not reported")
	}
	if (Diagnostics{ds[3]}).Err() != nil {
		t.Error("a warning alone is an error")
	}
}
