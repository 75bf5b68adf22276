package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// FuzzCheck runs the rules over whatever the layout decoder makes of any
// input, valid or not: Check must never panic, even on the partial layouts
// of invalid files (the CLI only lints valid ones, other callers may not).
func FuzzCheck(f *testing.F) {
	f.Add([]byte(build(nil)))
	f.Add([]byte(build(map[string]string{"policies": "", "stages": "stages:\n  - {match: \"*\", account: \"{stage}\"}\n"})))
	for _, dir := range []string{"startup", "business-units", "minimal"} {
		if b, err := os.ReadFile(filepath.Join("..", "..", "examples", dir, "bulkhead.yaml")); err == nil {
			f.Add(b)
		}
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "playbook.yaml")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		l, _ := layout.Parse("bulkhead.yaml", src, layout.Options{})
		if l == nil {
			return
		}
		rep := Check(l)
		for _, fd := range rep.Findings {
			if fd.Code == "" || fd.Severity == "" || fd.Summary == "" {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}
	})
}
