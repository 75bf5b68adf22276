package stages

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

func TestProfiles(t *testing.T) {
	l := load(t, liveSrc)
	var got []string
	for _, p := range Profiles(l) {
		got = append(got, p.Name+" "+p.Stage+" "+string(p.Guard))
	}
	want := []string{
		"acme-prod-appeng  none", // by account: no stage routes appeng to prod
		"acme-prod-deployer prod ci",
		"acme-qa-appeng qa confirm",
		"acme-dev-appeng  none", // feature-* and pr-* share dev
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("profiles (-want +got):\n%s", diff)
	}
}

func TestRenderProfiles(t *testing.T) {
	ps := []Profile{{Name: "acme-prod-deployer", Account: "prod", Role: "deployer", Stage: "prod"}, {Name: "acme-dev-appeng", Account: "dev", Role: "appeng"}}
	got := RenderProfiles("acme", ps, ProfileCommand{Executable: "/usr/bin/bulkhead", Dir: "/src/my infra", File: "org.yaml", Region: "eu-west-1", Endpoint: "http://127.0.0.1:4566"})
	want := `# BEGIN bulkhead acme
# Written by ` + "`bulkhead profiles --write`" + `; edits inside this block are replaced.

[profile acme-prod-deployer]
credential_process = /usr/bin/bulkhead -C "/src/my infra" -f org.yaml credential-process --stage prod
region = eu-west-1
endpoint_url = http://127.0.0.1:4566

[profile acme-dev-appeng]
credential_process = /usr/bin/bulkhead -C "/src/my infra" -f org.yaml credential-process --account dev --role appeng
region = eu-west-1
endpoint_url = http://127.0.0.1:4566

# END bulkhead acme
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("block (-want +got):\n%s", diff)
	}
}

func TestMergeProfiles(t *testing.T) {
	block := "# BEGIN bulkhead acme\n[profile acme-dev-appeng]\nregion = x\n# END bulkhead acme\n"
	tests := []struct {
		name, config, want, err string
	}{
		{name: "empty", config: "", want: block},
		{name: "append after the user's sections", config: "[default]\nregion = eu-west-1", want: "[default]\nregion = eu-west-1\n\n" + block},
		{name: "replace in place, keep the rest byte for byte",
			config: "[default]\n\n# BEGIN bulkhead acme\n[profile acme-old]\n# END bulkhead acme\n[profile mine]\n  output=json\n",
			want:   "[default]\n\n" + block + "[profile mine]\n  output=json\n"},
		{name: "another organization's block is kept",
			config: "# BEGIN bulkhead other\n[profile other-x]\n# END bulkhead other\n",
			want:   "# BEGIN bulkhead other\n[profile other-x]\n# END bulkhead other\n\n" + block},
		{name: "unterminated block", config: "# BEGIN bulkhead acme\n[profile x]\n", err: `line 1: "# BEGIN bulkhead acme" has no "# END bulkhead acme"`},
		{name: "same profile outside", config: "[profile acme-dev-appeng]\nregion = y\n", err: `profile "acme-dev-appeng" is already defined outside the bulkhead block`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MergeProfiles([]byte(tt.config), "acme", block)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("merged (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteProfilesKeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	must(t, os.WriteFile(path, []byte("[default]\n"), 0o640))
	block := RenderProfiles("acme", []Profile{{Name: "acme-dev-appeng", Account: "dev", Role: "appeng"}}, ProfileCommand{Executable: "/b", Dir: "/d"})
	must(t, WriteProfiles(path, "acme", block))
	must(t, WriteProfiles(path, "acme", block)) // idempotent
	b, err := os.ReadFile(path)
	must(t, err)
	if strings.Count(string(b), "# BEGIN bulkhead acme") != 1 || !strings.HasPrefix(string(b), "[default]\n\n# BEGIN") {
		t.Errorf("config:\n%s", b)
	}
	st, err := os.Stat(path)
	must(t, err)
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %o, want 640", st.Mode().Perm())
	}
	// A new file is private.
	fresh := filepath.Join(t.TempDir(), "aws", "config")
	must(t, WriteProfiles(fresh, "acme", block))
	if st, err := os.Stat(fresh); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("new config: %v %v", st, err)
	}
}

func TestResolveAccountGuard(t *testing.T) {
	l := load(t, liveSrc)
	tests := []struct {
		account, role string
		want          layout.Guard
	}{
		{"prod", "deployer", layout.GuardCI},
		{"prod", "appeng", layout.GuardNone},
		{"qa", "appeng", layout.GuardConfirm},
		{"dev", "appeng", layout.GuardNone},
	}
	for _, tt := range tests {
		res, err := ResolveAccount(l, tt.account, tt.role)
		if err != nil {
			t.Fatal(err)
		}
		if res.Guard != tt.want || res.Stage != tt.account {
			t.Errorf("%s/%s: %+v", tt.account, tt.role, res)
		}
	}
	if _, err := ResolveAccount(l, "management", "appeng"); err == nil {
		t.Error("management account resolved")
	}
}
