package lint

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/blueprint"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// blueprintOptions are the blueprints as users generate them, defaults
// and edge cases included.
var blueprintOptions = []blueprint.Options{
	{Blueprint: blueprint.Startup},
	{Blueprint: blueprint.Startup, Domain: "acme.example", Developers: []string{"alice", "bob"}, Stages: []string{"preprod", "qa", "uat"}},
	{Blueprint: blueprint.Startup, Name: "solo", Developers: []string{"ann"}, Stages: []string{}},
	{Blueprint: blueprint.Startup, Name: "n0", Developers: []string{"no", "yes", "123"}, Stages: []string{"on", "1"}},
	{Blueprint: blueprint.BusinessUnits},
	{Blueprint: blueprint.BusinessUnits, Domain: "corp.example", Developers: []string{"alice"}, BusinessUnits: []string{"retail", "bi", "acq"}, Stages: []string{"qa", "uat"}},
	{Blueprint: blueprint.BusinessUnits, Domain: "corp.example", BusinessUnits: []string{"retail"}, Stages: []string{}},
	{Blueprint: blueprint.Minimal},
	{Blueprint: blueprint.Minimal, Domain: "acme.example", Developers: []string{"alice", "bob"}},
}

// TestBlueprintsValidateAndLintClean is the promise of `bulkhead init`: what
// it writes validates with no problem at all and follows every rule.
func TestBlueprintsValidateAndLintClean(t *testing.T) {
	for _, opts := range blueprintOptions {
		t.Run(fmt.Sprintf("%s/%v/%v", opts.Blueprint, opts.Developers, opts.Stages), func(t *testing.T) {
			res, err := blueprint.Generate(opts)
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{}
			for _, f := range res.Files {
				files[f.Path] = f.Data
			}
			l, ds := layout.Parse(blueprint.LayoutFile, files[blueprint.LayoutFile], layout.Options{
				Dir: ".",
				ReadFile: func(p string) ([]byte, error) {
					if b, ok := files[path.Clean(filepath.ToSlash(p))]; ok {
						return b, nil
					}
					return nil, fs.ErrNotExist
				},
			})
			if len(ds) > 0 || l == nil {
				t.Fatalf("generated layout has problems:\n%s\n--- layout:\n%s", ds, numbered(string(files[blueprint.LayoutFile])))
			}
			for _, p := range l.Policies {
				if p.Document == nil {
					t.Errorf("policy %s: document not read", p.Name.Value)
				}
			}
			rep := Check(l)
			for _, f := range rep.Findings {
				t.Errorf("finding: %s", render(f))
			}
		})
	}
}

// TestExamplesValidateAndLintClean loads the committed examples from disk,
// as `bulkhead -C examples/startup lint` does.
func TestExamplesValidateAndLintClean(t *testing.T) {
	for _, dir := range []string{"startup", "business-units", "minimal"} {
		t.Run(dir, func(t *testing.T) {
			l, ds, err := layout.Load(filepath.Join("..", "..", "examples", dir, "bulkhead.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) > 0 {
				t.Fatalf("examples/%s has problems:\n%s", dir, ds)
			}
			for _, f := range Check(l).Findings {
				t.Errorf("finding: %s", render(f))
			}
		})
	}
}
