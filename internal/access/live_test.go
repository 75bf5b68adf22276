package access

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/actions"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// snapshotOf is what applying a layout creates, as --live would read it:
// the organization with ids and FullAWSAccess attached everywhere, users
// and groups with the group policies, roles with their trust and policies.
func snapshotOf(t *testing.T, l *layout.Layout, m *Model) *Snapshot {
	t.Helper()
	o := org.FromLayout(l)
	o.ManagementAccountID = m.mgmt.ID
	full := &org.Policy{Name: org.FullAWSAccess, Type: org.SCP, AWSManaged: true, Targets: []org.Target{{Kind: org.TargetRoot}}}
	for _, u := range l.Units {
		full.Targets = append(full.Targets, org.Target{Kind: org.TargetUnit, Name: u.Path})
	}
	for _, a := range m.Accounts {
		o.Accounts[a.Name].ID = a.ID
		full.Targets = append(full.Targets, org.Target{Kind: org.TargetAccount, Name: a.Name})
	}
	o.Policies[full.Name] = full
	ids := func(name string) string { return m.byName[name].ID }
	s := &Snapshot{Org: o, IAM: map[string]*AccountIAM{}, AccessRole: layout.DefaultAccessRole, CI: l.CI,
		IdentityAccount: m.identity.Name}
	for _, a := range m.Accounts {
		s.IAM[a.Name] = &AccountIAM{Managed: map[string]string{}}
	}
	idIAM := s.IAM[m.identity.Name]
	for _, g := range l.Groups {
		grp := IAMGroup{Name: g.Name.Value}
		if doc := GroupDocument(l, g.Name.Value); doc != nil {
			grp.Inline = []Document{{Name: "assume-roles", JSON: string(doc)}}
		}
		idIAM.Groups = append(idIAM.Groups, grp)
	}
	for _, p := range m.Principals {
		switch {
		case p.Kind == User:
			u := IAMUser{Name: p.Name, ARN: p.ARN, Groups: p.Groups}
			if doc := UserDocument(l, p.Name); doc != nil {
				u.Inline = []Document{{Name: "assume-roles", JSON: string(doc)}}
			}
			idIAM.Users = append(idIAM.Users, u)
		case p.Kind == Role && p.AccessRole:
			s.IAM[p.Account.Name].Roles = append(s.IAM[p.Account.Name].Roles, IAMRole{Name: p.Name, ARN: p.ARN, Path: "/",
				Trust: string(AccessRoleTrustDocument(m.mgmt.ID)), Attached: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}})
		case p.Kind == Role:
			r := l.Role(p.Name)
			role := IAMRole{Name: p.Name, ARN: p.ARN, Path: "/", Trust: string(TrustDocument(r, p.Account.ID, m.identity.ID, l.CI, ids))}
			for _, rp := range r.Policies {
				if rp.Kind.Value != p.Account.Kind {
					continue
				}
				if rp.Ref.IsFile {
					role.Inline = append(role.Inline, Document{Name: rp.Ref.Value, JSON: rp.Ref.Document.Content})
				} else {
					role.Attached = append(role.Attached, "arn:aws:iam::aws:policy/"+rp.Ref.Value)
				}
			}
			s.IAM[p.Account.Name].Roles = append(s.IAM[p.Account.Name].Roles, role)
		}
	}
	return s
}

// TestFromSnapshotMatchesLayout checks that a live organization holding
// exactly what the layout creates gives the layout's answers.
func TestFromSnapshotMatchesLayout(t *testing.T) {
	for _, file := range []string{startup, business, variants} {
		t.Run(file, func(t *testing.T) {
			l, m := load(t, file)
			want, err := m.Verify(l.Invariants)
			if err != nil {
				t.Fatal(err)
			}
			lm, err := FromSnapshot(snapshotOf(t, l, m), Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := lm.Verify(l.Invariants)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(verifySummary(want), verifySummary(got)); diff != "" {
				t.Errorf("verify (-layout +live):\n%s", diff)
			}
			wm, _ := m.Matrix(RowsPrincipals, ByAccount)
			gm, _ := lm.Matrix(RowsPrincipals, ByAccount)
			if diff := cmp.Diff(matrixMap(wm), matrixMap(gm)); diff != "" {
				t.Errorf("matrix (-layout +live):\n%s", diff)
			}
		})
	}
}

func matrixMap(mx *Matrix) map[string]string {
	out := map[string]string{}
	for i, r := range mx.Rows {
		for j, c := range mx.Columns {
			out[r+" "+c] = mx.Cells[i][j]
		}
	}
	return out
}

// TestFromSnapshotDetachedFullAccess: a live organization lists its own
// SCP attachments; without FullAWSAccess on a unit nothing is allowed there.
func TestFromSnapshotDetachedFullAccess(t *testing.T) {
	l, m := load(t, startup)
	s := snapshotOf(t, l, m)
	full := s.Org.Policies[org.FullAWSAccess]
	var kept []org.Target
	for _, tg := range full.Targets {
		if !(tg.Kind == org.TargetUnit && tg.Name == "Workloads/Development") {
			kept = append(kept, tg)
		}
	}
	full.Targets = kept
	lm, err := FromSnapshot(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := lm.Can("user:alice", Access{Class: actions.Write}, Target{Kind: layout.TargetAccount, Name: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Result != "no" {
		t.Fatalf("alice write dev = %s, want no without FullAWSAccess on Workloads/Development", ans.Result)
	}
	if got := ans.Findings[0].Blocked[0].Reason; !strings.Contains(got, "SCPs at Workloads/Development") {
		t.Errorf("reason %q does not name the SCP level", got)
	}
}
