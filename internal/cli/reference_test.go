package cli

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestReference keeps docs/cli.md equal to the reference generated from the
// command tree; run with -update after changing a command.
func TestReference(t *testing.T) {
	var buf bytes.Buffer
	app := &App{Getenv: func(string) string { return "" }}
	if err := app.WriteReference(&buf); err != nil {
		t.Fatal(err)
	}
	const path = "../../docs/cli.md"
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run TestReference -update)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("docs/cli.md is stale; run go test ./internal/cli -run TestReference -update\n(-committed +generated):\n%s", diff)
	}
}
