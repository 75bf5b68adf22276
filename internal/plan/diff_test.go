package plan

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// desiredFixture is a small layout's organization: two top units, a nested
// one, four accounts (one protected), one SCP on two targets.
func desiredFixture() *org.Org {
	o := org.New()
	o.ManagementAccount = "management"
	o.PolicyTypes = []string{org.SCP}
	for _, p := range []string{"Workloads", "Workloads/Production", "Workloads/Development", "Sandbox"} {
		o.Units[p] = &org.Unit{Path: p}
	}
	add := func(name, unit, kind string, protected bool, tags map[string]string) {
		o.Accounts[name] = &org.Account{Name: name, Email: "aws+" + name + "@acme.example", Unit: unit, Kind: kind, Protected: protected, Status: org.Active, Tags: tags}
	}
	add("management", "", "management", false, nil)
	o.Accounts["management"].Email = "aws@acme.example"
	add("prod", "Workloads/Production", "production", true, map[string]string{"owner": "platform"})
	add("dev", "Workloads/Development", "development", false, nil)
	add("sandbox-alice", "Sandbox", "sandbox", false, nil)
	o.Policies["guardrails"] = &org.Policy{
		Name: "guardrails", Type: org.SCP, Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`,
		Targets: []org.Target{{Kind: org.TargetUnit, Name: "Sandbox"}, {Kind: org.TargetUnit, Name: "Workloads"}},
	}
	return o
}

// liveOf returns what a live read of an organization applied from d gives:
// d with ids, plus AWS's FullAWSAccess everywhere.
func liveOf(d *org.Org) *org.Org {
	l := org.New()
	l.ID, l.RootID, l.ManagementAccount, l.ManagementAccountID = "o-exampleorg", "r-ab12", d.ManagementAccount, "111111111111"
	l.PolicyTypes = append([]string(nil), d.PolicyTypes...)
	n := 0
	for _, p := range d.SortedUnitPaths() {
		n++
		l.Units[p] = &org.Unit{Path: p, ID: fmt.Sprintf("ou-ab12-%08d", n)}
	}
	full := &org.Policy{Name: org.FullAWSAccess, ID: "p-FullAWSAccess", Type: org.SCP, AWSManaged: true, Targets: []org.Target{{Kind: org.TargetRoot}}}
	for _, name := range d.SortedAccountNames() {
		a := *d.Accounts[name]
		n++
		a.ID = fmt.Sprintf("2222%08d", n)
		if name == d.ManagementAccount {
			a.ID = l.ManagementAccountID
		}
		a.Tags = nil
		for k, v := range d.Accounts[name].Tags {
			if a.Tags == nil {
				a.Tags = map[string]string{}
			}
			a.Tags[k] = v
		}
		l.Accounts[name] = &a
		full.Targets = append(full.Targets, org.Target{Kind: org.TargetAccount, Name: name})
	}
	for _, p := range d.SortedUnitPaths() {
		full.Targets = append(full.Targets, org.Target{Kind: org.TargetUnit, Name: p})
	}
	l.Policies[org.FullAWSAccess] = full
	for _, name := range d.SortedPolicyNames() {
		p := *d.Policies[name]
		n++
		p.ID = fmt.Sprintf("p-%08d", n)
		p.Targets = append([]org.Target(nil), p.Targets...)
		l.Policies[name] = &p
	}
	return l
}

type diffCase struct {
	name    string
	desired func() *org.Org
	live    func() *org.Org
	opts    func() Options
}

func diffCases() []diffCase {
	return []diffCase{
		{name: "create_from_empty", desired: desiredFixture, live: org.New},
		{name: "no_changes", desired: desiredFixture, live: func() *org.Org { return liveOf(desiredFixture()) }},
		{
			name: "drift", desired: desiredFixture,
			live: func() *org.Org {
				l := liveOf(desiredFixture())
				l.Policies["guardrails"].Targets = []org.Target{{Kind: org.TargetUnit, Name: "Workloads"}, {Kind: org.TargetAccount, Name: "dev"}}
				l.Accounts["dev"].Unit = "Sandbox"
				l.Accounts["prod"].Tags = map[string]string{"owner": "someone-else", "temp": "yes"}
				l.Policies["guardrails"].Content = `{"Version":"2012-10-17","Statement":[]}`
				return l
			},
			opts: func() Options { return Options{Previous: desiredFixture(), AllowDestroy: true} },
		},
		{
			name: "rename",
			desired: func() *org.Org {
				d := desiredFixture()
				delete(d.Units, "Sandbox")
				d.Units["Sandboxes"] = &org.Unit{Path: "Sandboxes"}
				d.Accounts["sandbox-alice"].Unit = "Sandboxes"
				d.Policies["guardrails"].Targets[0].Name = "Sandboxes"
				// The account renamed in the layout, same email.
				a := d.Accounts["dev"]
				delete(d.Accounts, "dev")
				a.Name = "development"
				d.Accounts["development"] = a
				return d
			},
			live: func() *org.Org { return liveOf(desiredFixture()) },
		},
		{
			name: "move",
			desired: func() *org.Org {
				d := desiredFixture()
				delete(d.Units, "Sandbox")
				d.Units["Workloads/Sandbox"] = &org.Unit{Path: "Workloads/Sandbox"}
				d.Accounts["sandbox-alice"].Unit = "Workloads/Sandbox"
				d.Policies["guardrails"].Targets[0].Name = "Workloads/Sandbox"
				return d
			},
			live: func() *org.Org { return liveOf(desiredFixture()) },
		},
		{
			// Workloads renamed Apps: its children follow, one operation.
			name: "rename_parent",
			desired: func() *org.Org {
				d := desiredFixture()
				for _, p := range []string{"Workloads", "Workloads/Production", "Workloads/Development"} {
					delete(d.Units, p)
					np := "Apps" + strings.TrimPrefix(p, "Workloads")
					d.Units[np] = &org.Unit{Path: np}
				}
				d.Accounts["prod"].Unit = "Apps/Production"
				d.Accounts["dev"].Unit = "Apps/Development"
				d.Policies["guardrails"].Targets[1].Name = "Apps"
				return d
			},
			live: func() *org.Org { return liveOf(desiredFixture()) },
		},
		{
			// Workloads/Production moved to the top: a replacement, and the
			// protected prod account follows its unit.
			name: "move_protected_unit",
			desired: func() *org.Org {
				d := desiredFixture()
				delete(d.Units, "Workloads/Production")
				d.Units["Production"] = &org.Unit{Path: "Production"}
				d.Accounts["prod"].Unit = "Production"
				return d
			},
			live: func() *org.Org { return liveOf(desiredFixture()) },
		},
		{
			name:    "destroy_refused",
			desired: desiredFixture,
			live:    withUnmanaged,
		},
		{
			name: "destroy_allowed", desired: desiredFixture, live: withUnmanaged,
			opts: func() Options { return Options{AllowDestroy: true} },
		},
		{
			name: "destroy_capped", desired: desiredFixture, live: withUnmanaged,
			opts: func() Options { return Options{AllowDestroy: true, MaxDestroy: 1} },
		},
		{
			name: "protected_moved",
			desired: func() *org.Org {
				d := desiredFixture()
				d.Accounts["prod"].Unit = "Workloads"
				return d
			},
			live: func() *org.Org { return liveOf(desiredFixture()) },
		},
	}
}

// withUnmanaged is the fixture's live organization plus an account, a unit
// and a policy the layout does not name, and a protected stray account.
func withUnmanaged() *org.Org {
	l := liveOf(desiredFixture())
	l.Units["Legacy"] = &org.Unit{Path: "Legacy", ID: "ou-ab12-legacy01"}
	l.Accounts["legacy"] = &org.Account{Name: "legacy", Email: "legacy@acme.example", ID: "333333333333", Unit: "Legacy", Status: org.Active}
	l.Accounts["vault"] = &org.Account{Name: "vault", Email: "vault@acme.example", ID: "444444444444", Unit: "", Status: org.Active, Protected: true}
	l.Policies["old-deny"] = &org.Policy{Name: "old-deny", ID: "p-olddeny1", Type: org.SCP, Content: `{}`, Targets: []org.Target{{Kind: org.TargetUnit, Name: "Workloads"}}}
	return l
}

// TestDiffGolden renders each case's plan as text and compares it with
// testdata/<name>.txt (go test -update rewrites them).
func TestDiffGolden(t *testing.T) {
	for _, tc := range diffCases() {
		t.Run(tc.name, func(t *testing.T) {
			var opts Options
			if tc.opts != nil {
				opts = tc.opts()
			}
			pl := Diff(tc.desired(), tc.live(), opts)
			var b strings.Builder
			if err := pl.Text(&b, RenderOptions{}); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", tc.name+".txt"), b.String())
			checkGraph(t, pl)
		})
	}
}

// TestPlanJSONGolden pins the JSON schema on one plan with every kind of
// section.
func TestPlanJSONGolden(t *testing.T) {
	for _, tc := range diffCases() {
		if tc.name != "drift" && tc.name != "destroy_refused" {
			continue
		}
		pl := Diff(tc.desired(), tc.live(), Options{Previous: desiredFixture()})
		pl.Desired = nil
		b, err := json.MarshalIndent(pl, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("testdata", tc.name+".json"), string(b)+"\n")
	}
}

// TestColorMarkers checks that colour wraps the markers only when asked.
func TestColorMarkers(t *testing.T) {
	pl := Diff(desiredFixture(), org.New(), Options{})
	var plain, color strings.Builder
	_ = pl.Text(&plain, RenderOptions{})
	_ = pl.Text(&color, RenderOptions{Color: true})
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("plain rendering has ANSI escapes")
	}
	if !strings.Contains(color.String(), ansiGreen+"+"+ansiReset) {
		t.Error("colour rendering lacks a green +")
	}
}

// checkGraph asserts the invariants every plan keeps: ids unique, every
// dependency names an operation of the plan, no cycle.
func checkGraph(t *testing.T, pl *Plan) {
	t.Helper()
	ids := map[string]*Op{}
	for _, op := range pl.Ops {
		if ids[op.ID] != nil {
			t.Errorf("duplicate operation id %s", op.ID)
		}
		ids[op.ID] = op
	}
	state := map[string]int{}
	var visit func(id string) bool
	visit = func(id string) bool {
		switch state[id] {
		case 1:
			return false
		case 2:
			return true
		}
		state[id] = 1
		for _, dep := range ids[id].DependsOn {
			if ids[dep] == nil {
				t.Errorf("%s depends on unknown %s", id, dep)
				continue
			}
			if !visit(dep) {
				t.Errorf("dependency cycle through %s", id)
				return false
			}
		}
		state[id] = 2
		return true
	}
	for id := range ids {
		visit(id)
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}
