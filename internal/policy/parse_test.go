package policy

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// kindByPrefix maps a test file's prefix to the kind it is parsed as.
var kindByPrefix = map[string]Kind{"identity": Identity, "resource": Resource, "trust": Trust, "scp": SCP, "rcp": RCP}

// TestParseGolden parses every testdata/parse/KIND-*.json and compares the
// rendered diagnostics with KIND-*.golden. Run with -update to rewrite.
func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no parse test files: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			prefix, _, _ := strings.Cut(name, "-")
			kind, ok := kindByPrefix[prefix]
			if !ok {
				t.Fatalf("file name must start with one of identity, resource, trust, scp, rcp")
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			pol, diags := Parse(src, ParseOptions{File: filepath.Base(f), Kind: kind})
			var b strings.Builder
			if len(diags) == 0 {
				b.WriteString("(no diagnostics)\n")
			}
			for _, d := range diags {
				b.WriteString(d.String())
				if d.Code != "" {
					b.WriteString("\n    code: " + d.Code + "  path: " + d.Path)
				}
				b.WriteString("\n")
			}
			if pol != nil {
				b.WriteString("---\n")
				for _, s := range pol.Statements {
					b.WriteString(s.Label() + " " + s.Effect.String() + " at " + s.Pos.String() + "\n")
				}
			}
			golden := strings.TrimSuffix(f, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/policy -run TestParseGolden -update)", err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("diagnostics differ (-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidPoliciesHaveNoDiagnostics guards the *-valid.json files: a
// regression that flags valid AWS syntax must not hide in a golden update.
func TestValidPoliciesHaveNoDiagnostics(t *testing.T) {
	files, _ := filepath.Glob("testdata/parse/*-valid.json")
	for _, f := range files {
		prefix, _, _ := strings.Cut(filepath.Base(f), "-")
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, diags := Parse(src, ParseOptions{File: f, Kind: kindByPrefix[prefix]}); len(diags) != 0 {
			t.Errorf("%s: %v", f, diags.Err())
		}
	}
}

func TestParsePositions(t *testing.T) {
	src := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:é\", \"Resource\": \"*\", \"Condition\": {\"Bool\": {\"k\": \"maybe\"}}}]\n}"
	_, diags := Parse([]byte(src), ParseOptions{File: "p.json"})
	if len(diags) != 1 {
		t.Fatalf("diagnostics = %v, want one", diags)
	}
	// Columns count characters, not bytes: "é" is one column.
	got := diags[0].Pos.String()
	if want := "p.json:3:100"; got != want {
		t.Errorf("position = %s, want %s", got, want)
	}
}
