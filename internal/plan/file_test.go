package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	pl := Diff(desiredFixture(), org.New(), Options{})
	pl.Fingerprint, pl.LayoutHash = Fingerprint(org.New()), DesiredHash(desiredFixture())
	path := filepath.Join(t.TempDir(), "p.plan")
	if err := pl.Save(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode %v, want 0600", st.Mode().Perm())
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(pl, got); diff != "" {
		t.Errorf("round trip (-saved +loaded):\n%s", diff)
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"not json", "plan: yes", "not a bulkhead plan file"},
		{"other version", `{"formatVersion": 9, "fingerprint": "sha256:x", "operations": []}`, "plan format version 9"},
		{"no fingerprint", `{"formatVersion": 1, "operations": []}`, "no fingerprint"},
		{"unknown kind", `{"formatVersion": 1, "fingerprint": "sha256:x", "operations": [{"id": "a", "kind": "explode"}]}`, "operations[0]: missing id or unknown kind"},
		{"duplicate id", `{"formatVersion": 1, "fingerprint": "sha256:x", "operations": [{"id": "a", "kind": "create-unit"}, {"id": "a", "kind": "create-unit"}]}`, `duplicate id "a"`},
		{"dangling dependency", `{"formatVersion": 1, "fingerprint": "sha256:x", "operations": [{"id": "a", "kind": "create-unit", "dependsOn": ["b"]}]}`, `depends on unknown operation "b"`},
		{"null operation", `{"formatVersion": 1, "fingerprint": "sha256:x", "operations": [null]}`, "operations[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.plan")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestFingerprintCanonical: the fingerprint ignores what does not change
// the organization (map order, target order, document whitespace, the
// lock tag) and sees what does.
func TestFingerprintCanonical(t *testing.T) {
	base := liveOf(desiredFixture())
	fp := Fingerprint(base)

	same := liveOf(desiredFixture())
	p := same.Policies["guardrails"]
	p.Targets[0], p.Targets[1] = p.Targets[1], p.Targets[0]
	p.Content = strings.ReplaceAll(p.Content, ",", ", ")
	same.RootTags = map[string]string{LockTag: "holder=x time=2026-01-01T00:00:00Z token=1"}
	if got := Fingerprint(same); got != fp {
		t.Errorf("equivalent organizations fingerprint differently")
	}

	changed := liveOf(desiredFixture())
	changed.Accounts["dev"].Unit = "Sandbox"
	if Fingerprint(changed) == fp {
		t.Errorf("a moved account does not change the fingerprint")
	}
}

func TestJournalDurable(t *testing.T) {
	dir := t.TempDir()
	j, err := OpenJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := JournalEntry{Email: "A@x.example", Account: "a", State: JournalSent, StatusID: "car-1"}
	if err := j.Put(e); err != nil {
		t.Fatal(err)
	}
	again, err := OpenJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := again.Get("a@X.example")
	if !ok || got.StatusID != "car-1" {
		t.Fatalf("reopened journal: %+v %v", got, ok)
	}
	if err := again.Delete("a@x.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, JournalFile)); !os.IsNotExist(err) {
		t.Errorf("an empty journal leaves its file: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, JournalFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenJournal(dir); err == nil || !strings.Contains(err.Error(), "damaged journal") {
		t.Errorf("damaged journal: %v", err)
	}
}
