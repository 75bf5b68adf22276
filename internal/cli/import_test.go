package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// TestImportRoundTrip builds an organization bulkhead never touched (no
// bulkhead:kind tags, names the layout does not accept, a closed account,
// SCPs and a tag policy on the root, units and accounts) by calling the
// provider directly, imports it with the CLI, and diffs the imported
// layout against the live organization with plan's own Diff: there is no
// operation at all (issue 4: import followed by plan shows no changes; the
// account whose AWS name had to be rewritten is matched by email, a note
// only, and adopted accounts get no bulkhead:kind tags).
func TestImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	open := func() (provider.Provider, func()) {
		cfg, closer, err := emulator.LocalConfig(ctx, state, func(o *emulator.Options) {
			o.Organizations.CreateAccountDelay = -1
			o.Organizations.MaxAccounts = 20
		})
		if err != nil {
			t.Fatal(err)
		}
		return provider.New(cfg, provider.Options{}), func() { closer.Close() }
	}

	p, closeLocal := open()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(p.CreateOrganization(ctx))
	o, err := p.Read(ctx)
	must(err)
	must(p.EnablePolicyType(ctx, o.RootID, org.SCP))
	must(p.EnablePolicyType(ctx, o.RootID, org.Tag))
	workloads, err := p.CreateUnit(ctx, o.RootID, "Workloads", nil)
	must(err)
	prodOU, err := p.CreateUnit(ctx, workloads, "Prod", nil)
	must(err)
	infra, err := p.CreateUnit(ctx, o.RootID, "Infrastructure", nil)
	must(err)
	ids := map[string]string{}
	for _, a := range []struct {
		name, email, parent string
		tags                map[string]string
	}{
		{"payments-prod", "aws+payments-prod@corp.example", prodOU, map[string]string{"owner": "payments"}},
		{"staging-api", "aws+staging-api@corp.example", workloads, nil},
		{"dev-web", "aws+dev-web@corp.example", workloads, nil},
		{"audit", "aws+audit@corp.example", infra, nil},
		{"network-hub", "aws+network-hub@corp.example", infra, map[string]string{"cost-center": "0042", "yes": "no"}},
		{"mystery", "ops-mystery@other.example", o.RootID, map[string]string{"Environment": "UAT"}},
		{"Legacy Billing", "aws+legacy@corp.example", o.RootID, nil},
		{"gone", "aws+gone@corp.example", o.RootID, nil},
	} {
		car, err := p.CreateAccount(ctx, provider.CreateAccountInput{Name: a.name, Email: a.email, Tags: a.tags})
		must(err)
		st, err := p.DescribeCreateAccount(ctx, car)
		must(err)
		ids[a.name] = st.AccountID
		if a.parent != o.RootID {
			must(p.MoveAccount(ctx, st.AccountID, o.RootID, a.parent))
		}
	}
	must(p.CloseAccount(ctx, ids["gone"]))
	scp, err := p.CreatePolicy(ctx, &org.Policy{Name: "deny-leave", Type: org.SCP, Description: `no "leaving"`,
		Content: `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}`})
	must(err)
	must(p.AttachPolicy(ctx, scp, o.RootID))
	must(p.AttachPolicy(ctx, scp, prodOU))
	must(p.AttachPolicy(ctx, scp, ids["dev-web"]))
	tagPol, err := p.CreatePolicy(ctx, &org.Policy{Name: "cost tags", Type: org.Tag,
		Content: `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}`})
	must(err)
	must(p.AttachPolicy(ctx, tagPol, ids["payments-prod"]))
	closeLocal()

	var stdout, stderr bytes.Buffer
	app := &App{Streams: Streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr},
		Getenv: func(k string) string {
			if k == "BULKHEAD_LOCAL_STATE" {
				return state
			}
			return ""
		}}
	if code := app.Run(ctx, []string{"import", "-C", dir}); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	file := filepath.Join(dir, "bulkhead.yaml")
	src, _ := os.ReadFile(file)
	l, ds, err := layout.Load(file)
	must(err)
	if ds.HasErrors() {
		t.Fatalf("imported layout does not validate:\n%v\n%s", ds.Err(), src)
	}
	for _, want := range []string{
		"kind: production  # review: kind guessed from name \"payments-prod\"",
		"kind: staging  # review: kind guessed from name \"staging-api\"",
		"kind: development  # review: kind guessed from name \"dev-web\"",
		"kind: security  # review: kind guessed from name \"audit\"",
		"kind: shared  # review: kind guessed from name \"network-hub\"",
		"kind: staging  # review: kind guessed from tag Environment=UAT",
		"legacy-billing:  # review: AWS name \"Legacy Billing\"",
		`email: "aws+{account}@corp.example"`,
		"email: ops-mystery@other.example",
		`"yes": "no"`,
		`cost-center: "0042"`,
		"# Left out, closed: gone",
		"attach: [root, Workloads/Prod, dev-web]",
		"file: policies/cost-tags.json",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("imported layout lacks %q:\n%s", want, src)
		}
	}

	p, closeLocal = open()
	defer closeLocal()
	live, err := p.Read(ctx)
	must(err)
	d := plan.Diff(org.FromLayout(l), live, plan.Options{})
	var got []string
	for _, op := range d.Ops {
		switch {
		case op.Kind == plan.TagResource && len(op.Tags) == 1 && op.Tags[provider.TagKind] != "":
			got = append(got, "kind tag "+op.Account+"="+op.Tags[provider.TagKind])
		default:
			got = append(got, string(op.Kind)+" "+op.ID)
		}
	}
	sort.Strings(got)
	var want []string
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan after import (-want +got):\n%s\nnotes: %v\nunmanaged: %v\nerrors: %v\n%s", diff, d.Notes, d.Unmanaged, d.Errors, src)
	}
}

func TestGuessKind(t *testing.T) {
	tests := []struct {
		name       string
		tags       map[string]string
		kind       string // Kind as read (the bulkhead:kind tag)
		management bool
		want       layout.Kind
		guessed    bool
	}{
		{name: "root", management: true, want: layout.KindManagement},
		{name: "prod", kind: "development", want: layout.KindDevelopment},
		{name: "prod", want: layout.KindProduction, guessed: true},
		{name: "payments-production", want: layout.KindProduction, guessed: true},
		{name: "api-preprod", want: layout.KindStaging, guessed: true},
		{name: "pre-prod-api", want: layout.KindStaging, guessed: true},
		{name: "staging", want: layout.KindStaging, guessed: true},
		{name: "stag2", want: layout.KindStaging, guessed: true},
		{name: "qa", want: layout.KindStaging, guessed: true},
		{name: "team-uat", want: layout.KindStaging, guessed: true},
		{name: "dev", want: layout.KindDevelopment, guessed: true},
		{name: "sandbox-alice", want: layout.KindSandbox, guessed: true},
		{name: "security", want: layout.KindSecurity, guessed: true},
		{name: "audit", want: layout.KindSecurity, guessed: true},
		{name: "log-archive", want: layout.KindSecurity, guessed: true},
		{name: "shared-services", want: layout.KindShared, guessed: true},
		{name: "network", want: layout.KindShared, guessed: true},
		{name: "tooling", want: layout.KindShared, guessed: true},
		{name: "Product", want: layout.KindProduction, guessed: true}, // no word matches: the strictest
		{name: "devops-product", want: layout.KindProduction, guessed: true},
		{name: "blue", tags: map[string]string{"env": "dev"}, want: layout.KindDevelopment, guessed: true},
		{name: "prod-mirror", tags: map[string]string{"Stage": "QA"}, want: layout.KindStaging, guessed: true},
		{name: "x", kind: "management", want: layout.KindProduction, guessed: true}, // only the real management account is
	}
	for _, tt := range tests {
		got, from := guessKind(&org.Account{Name: tt.name, Tags: tt.tags, Kind: tt.kind}, tt.management)
		if got != tt.want || (from != "") != tt.guessed {
			t.Errorf("guessKind(%q, tags %v, kind %q) = %s (%q), want %s guessed=%v", tt.name, tt.tags, tt.kind, got, from, tt.want, tt.guessed)
		}
	}
}

func TestYAMLQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain", "Workloads/Prod": "Workloads/Prod", "aws+x@acme.example": "aws+x@acme.example",
		"yes": `"yes"`, "0042": `"0042"`, "1e3": `"1e3"`, "": `""`, "a: b": `"a: b"`, "#x": `"#x"`,
		"- x": `"- x"`, "x ": `"x "`, "é": `"é"`, "null": `"null"`,
	} {
		if got := yq(in); got != want {
			t.Errorf("yq(%q) = %s, want %s", in, got, want)
		}
	}
}
