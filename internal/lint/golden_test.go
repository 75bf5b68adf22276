package lint

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestGolden renders the findings of layouts that break many rules at once,
// messages, hints and reasons included, against testdata/NAME.golden.
func TestGolden(t *testing.T) {
	for _, name := range []string{"playbook"} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join("testdata", name+".yaml")
			l, ds, err := layout.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			if ds.HasErrors() {
				t.Fatalf("%s does not validate:\n%s", file, ds.Err())
			}
			rep := Check(l)
			var b strings.Builder
			for _, f := range rep.Findings {
				fmt.Fprintf(&b, "%s: %s: %s [%s]\n    path: %s\n    hint: %s\n    why: %s\n", f.Pos, f.Severity, f.Summary, f.Code, f.Path, f.Hint, f.Reason)
			}
			for _, s := range rep.Silenced {
				fmt.Fprintf(&b, "silenced: %s (%d): %s\n", s.Rule, s.Findings, s.Reason)
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/lint -update)", err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("findings differ from %s (-want +got; -update to accept):\n%s", golden, diff)
			}
		})
	}
}
