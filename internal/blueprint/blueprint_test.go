package blueprint

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenCases are the blueprints as a user would generate them; their output
// is compared file by file with testdata/golden/NAME/.
var goldenCases = []struct {
	name string
	opts Options
}{
	{"startup", Options{Blueprint: Startup, Domain: "acme.example", Developers: []string{"alice", "bob"}}},
	{"startup-uat-no-developers", Options{Blueprint: Startup, Name: "tiny", Stages: []string{"uat"}}},
	{"startup-no-stages", Options{Blueprint: Startup, Domain: "solo.example", Developers: []string{"ann"}, Stages: []string{}}},
	{"business-units", Options{Blueprint: BusinessUnits, Domain: "acme.example", Developers: []string{"alice", "bob"}}},
	{"business-units-two-stages", Options{Blueprint: BusinessUnits, Name: "corp", Domain: "corp.example", BusinessUnits: []string{"retail", "bi", "acq"}, Stages: []string{"qa", "uat"}}},
	{"minimal", Options{Blueprint: Minimal, Domain: "acme.example", Developers: []string{"alice"}}},
}

func TestGenerateGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Generate(tc.opts)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			dir := filepath.Join("testdata", "golden", tc.name)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				for _, f := range res.Files {
					p := filepath.Join(dir, filepath.FromSlash(f.Path))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := readTree(t, dir)
			got := map[string]string{}
			for _, f := range res.Files {
				got[f.Path] = string(f.Data)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("output differs from %s (-want +got; go test ./internal/blueprint -update to accept):\n%s", dir, diff)
			}
		})
	}
}

// readTree reads every file under dir, keyed by slash path relative to dir.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatalf("read golden files (run with -update to create them): %v", err)
	}
	return out
}

func TestGenerateIsDeterministic(t *testing.T) {
	for _, tc := range goldenCases {
		a, err := Generate(tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Generate(tc.opts)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("%s: two runs differ:\n%s", tc.name, diff)
		}
	}
}

// TestGeneratedFilesAreWellFormed checks what can be checked without the
// layout model: the YAML parses, every file it names is generated, every
// generated JSON file is a policy document, and SCPs fit AWS's default size
// limit of 5,120 characters
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
func TestGeneratedFilesAreWellFormed(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Generate(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Files[0].Path != LayoutFile {
				t.Fatalf("first file is %q, want %q", res.Files[0].Path, LayoutFile)
			}
			var layout map[string]any
			if err := yaml.Unmarshal(res.Files[0].Data, &layout); err != nil {
				t.Fatalf("layout is not YAML: %v", err)
			}
			generated := map[string]bool{}
			for _, f := range res.Files[1:] {
				generated[f.Path] = true
				var doc struct {
					Version   string
					Statement []map[string]any
				}
				if err := json.Unmarshal(f.Data, &doc); err != nil || doc.Version != "2012-10-17" || len(doc.Statement) == 0 {
					t.Errorf("%s: not a policy document (err %v)", f.Path, err)
				}
			}
			referenced := map[string]bool{}
			for _, line := range strings.Split(string(res.Files[0].Data), "\n") {
				line = strings.TrimSpace(line)
				if strings.HasPrefix(line, "#") {
					continue
				}
				if i := strings.Index(line, "policies/"); i >= 0 {
					referenced[line[i:]] = true
				}
			}
			if diff := cmp.Diff(keys(generated), keys(referenced)); diff != "" {
				t.Errorf("files generated vs referenced by the layout (-generated +referenced):\n%s", diff)
			}
			for _, f := range res.Files {
				if f.Path == guardrailPath && len(f.Data) > 5120 {
					t.Errorf("%s is %d characters; SCPs are limited to 5120", f.Path, len(f.Data))
				}
			}
		})
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Options
		want Options
	}{
		{"nothing", Options{}, Options{Blueprint: Startup, Name: "acme", Domain: "acme.example", Stages: []string{"preprod", "qa"}}},
		{"name from domain", Options{Domain: "shop.example.com"}, Options{Blueprint: Startup, Name: "shop", Domain: "shop.example.com", Stages: []string{"preprod", "qa"}}},
		{"domain from name", Options{Name: "zed"}, Options{Blueprint: Startup, Name: "zed", Domain: "zed.example", Stages: []string{"preprod", "qa"}}},
		{"business units", Options{Blueprint: BusinessUnits}, Options{Blueprint: BusinessUnits, Name: "acme", Domain: "acme.example", Stages: []string{"stage"}, BusinessUnits: []string{"retail", "bi"}}},
		{"minimal", Options{Blueprint: Minimal}, Options{Blueprint: Minimal, Name: "acme", Domain: "acme.example"}},
		{"explicit empty stages", Options{Stages: []string{}}, Options{Blueprint: Startup, Name: "acme", Domain: "acme.example", Stages: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Generate(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res.Options); diff != "" {
				t.Errorf("options after defaults (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		in   Options
		want []string // every error, in order
	}{
		{"unknown blueprint", Options{Blueprint: "enterprise"},
			[]string{`--blueprint "enterprise": unknown blueprint; want one of startup, business-units, minimal`}},
		{"bad developer", Options{Developers: []string{"Alice", "bob", "bob", ""}},
			[]string{
				`--developers "Alice": not a valid name: use lowercase letters, digits and inner hyphens (it becomes part of an account name)`,
				`--developers "bob": listed twice`,
				`--developers: empty name in the list (check for a stray comma)`,
			}},
		{"bad name and domain", Options{Name: "Acme Inc", Domain: "acme"},
			[]string{
				`--domain "acme": not a lowercase domain name such as acme.example`,
				`--name "Acme Inc": use lowercase letters, digits and inner hyphens, such as acme`,
			}},
		{"production as a staging stage", Options{Stages: []string{"prod", "feature-x", "dev", "-qa"}},
			[]string{
				`--stages "-qa": not a valid name: use lowercase letters, digits and inner hyphens (it becomes part of an account name)`,
				`--stages "prod": production is not a staging stage: it has its own account and rule`,
				`--stages "feature-x": stages starting with "feature-" route to the shared development account or a sandbox; choose another name`,
				`--stages "dev": the blueprint already has an account with this name; choose another`,
			}},
		{"minimal has no stages", Options{Blueprint: Minimal, Stages: []string{"qa"}},
			[]string{`--stages "qa": the minimal blueprint has no staging accounts; use --blueprint startup`}},
		{"business units elsewhere", Options{BusinessUnits: []string{"retail"}},
			[]string{`--business-units: only the business-units blueprint has business units`}},
		{"business unit phases", Options{Blueprint: BusinessUnits, Stages: []string{"prod"}, BusinessUnits: []string{"sandbox"}},
			[]string{
				`--stages "prod": dev and prod are already delivery phases of every business unit`,
				`--business-units "sandbox": its accounts would collide with the sandbox-{developer} accounts; choose another name`,
			}},
		{"no business units", Options{Blueprint: BusinessUnits, BusinessUnits: []string{}},
			[]string{`--business-units: name at least one business unit, such as retail`}},
		{"collision", Options{Blueprint: BusinessUnits, BusinessUnits: []string{"log"}, Stages: []string{"archive"}},
			[]string{`--business-units "log": makes account "log-archive", which the blueprint also makes; choose another name`}},
		{"too long", Options{Developers: []string{strings.Repeat("a", 43)}},
			[]string{`--developers "` + strings.Repeat("a", 43) + `": too long: the account name sandbox-` + strings.Repeat("a", 43) + ` would exceed 50 characters`}},
		{"email too long", Options{Domain: strings.Repeat("d", 40) + ".example"},
			[]string{`--domain "` + strings.Repeat("d", 40) + `.example": the email aws+shared-services@` + strings.Repeat("d", 40) + `.example would be 68 characters; AWS accepts at most 64 (CreateAccount Email)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.in)
			errs, ok := err.(Errors)
			if !ok {
				t.Fatalf("error %T %v, want Errors", err, err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	for _, s := range []string{"acme", "no", "Yes", "123", "sandbox-{developer}", "feature-*", "a b", "aws@x.example", "true", "1e3", "-x", ""} {
		var got map[string]any
		if err := yaml.Unmarshal([]byte("k: "+q(s)+"\n"), &got); err != nil {
			t.Errorf("q(%q) = %s: %v", s, q(s), err)
			continue
		}
		if got["k"] != s {
			t.Errorf("q(%q) = %s decodes to %#v", s, q(s), got["k"])
		}
	}
}
