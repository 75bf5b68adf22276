package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
)

// TestConfirmPlanTypedYes: only a typed "yes" approves, as Terraform asks.
func TestConfirmPlanTypedYes(t *testing.T) {
	want := org.New()
	want.Units["Apps"] = &org.Unit{Path: "Apps"}
	pl := plan.Diff(want, &org.Org{ID: "o-x", RootID: "r-x", Units: map[string]*org.Unit{}, Accounts: map[string]*org.Account{}, Policies: map[string]*org.Policy{}}, plan.Options{})
	for _, tc := range []struct {
		input string
		want  bool
	}{
		{"yes\n", true},
		{"  yes  \n", true},
		{"yes", true},
		{"y\n", false},
		{"YES\n", false},
		{"no\n", false},
		{"", false},
	} {
		var out bytes.Buffer
		a := &App{Streams: Streams{In: strings.NewReader(tc.input), Out: &out, Err: &out}, Getenv: func(string) string { return "" }}
		got, err := a.confirmPlan(pl)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("input %q: approved %v, want %v", tc.input, got, tc.want)
		}
		if !strings.Contains(out.String(), "+ create unit Apps") || !strings.Contains(out.String(), "Only 'yes' will be accepted") {
			t.Errorf("prompt does not show the plan:\n%s", out.String())
		}
	}
}

// TestStatusLine: on a terminal progress rewrites one line; failures stay.
func TestStatusLine(t *testing.T) {
	var b bytes.Buffer
	s := &statusLine{w: &b}
	_, _ = s.Write([]byte("[1/3] create-unit:A: ok\n"))
	_, _ = s.Write([]byte("[2/3] create-unit:B: failed: boom\n"))
	_, _ = s.Write([]byte("[3/3] create-unit:C: ok\n"))
	s.finish()
	want := "\r\x1b[K[1/3] create-unit:A: ok\r\x1b[K[2/3] create-unit:B: failed: boom\n\r\x1b[K[3/3] create-unit:C: ok\r\x1b[K"
	if b.String() != want {
		t.Errorf("status line output %q, want %q", b.String(), want)
	}
}
