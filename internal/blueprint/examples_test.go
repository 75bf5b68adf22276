package blueprint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Examples are the directories under examples/ that `bulkhead init` writes
// with these options. TestExamples regenerates each and fails when the
// committed files differ, so the examples always show what init writes
// today; `go test ./internal/blueprint -update` refreshes them.
var Examples = []struct {
	Dir  string
	Opts Options
}{
	{"startup", Options{Blueprint: Startup, Domain: "acme.example", Developers: []string{"alice", "bob"}, Stages: []string{"preprod", "qa"}}},
	{"business-units", Options{Blueprint: BusinessUnits, Domain: "acme.example", Developers: []string{"alice", "bob"}, BusinessUnits: []string{"retail", "bi"}}},
	{"minimal", Options{Blueprint: Minimal, Domain: "acme.example", Developers: []string{"alice"}}},
}

func TestExamples(t *testing.T) {
	for _, ex := range Examples {
		t.Run(ex.Dir, func(t *testing.T) {
			res, err := Generate(ex.Opts)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("..", "..", "examples", ex.Dir)
			if *update {
				// Drop files an earlier version generated.
				_ = os.RemoveAll(filepath.Join(dir, "policies"))
			}
			got := map[string]string{}
			for _, f := range res.Files {
				got[f.Path] = string(f.Data)
				p := filepath.Join(dir, filepath.FromSlash(f.Path))
				if *update {
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := readTree(t, dir)
			delete(want, "README.md") // an example may explain itself
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("examples/%s differs from what init writes (-committed +generated; go test ./internal/blueprint -update to refresh):\n%s", ex.Dir, diff)
			}
		})
	}
}
