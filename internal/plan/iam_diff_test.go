package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

const (
	docA  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	docA2 = "{\n  \"Statement\": {\"Resource\": [\"*\"], \"Action\": [\"s3:*\"], \"Effect\": \"Allow\"},\n  \"Version\": \"2012-10-17\"\n}"
	docB  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`
	trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`
)

func role(mut func(r *org.IAMRole)) *org.IAMRole {
	r := &org.IAMRole{Name: "appeng", Trust: trust, MaxSession: 3600, InlinePolicies: map[string]string{"bulkhead-appeng": docA}}
	if mut != nil {
		mut(r)
	}
	return r
}

func acctWith(roles ...*org.IAMRole) *org.IAM {
	i := org.NewIAM()
	a := org.NewAccountIAM("dev", "222222222222")
	for _, r := range roles {
		a.Roles[r.Name] = r
	}
	i.Accounts["dev"] = a
	return i
}

func managed(r *org.IAMRole) { r.Tags = map[string]string{ManagedTag: "true"} }

// TestDiffIAM checks which operations the IAM diff plans. Policy files
// become inline policies named after the role, so renaming the file leaves
// the name alone and a changed content is one PutRolePolicy, an update in
// place (issue 6, item 5).
func TestDiffIAM(t *testing.T) {
	tests := []struct {
		name       string
		want, live *org.IAM
		destroy    bool
		ops        []string // "id kind reason"
		withheld   []string
	}{
		{"new role", acctWith(role(nil)), acctWith(), false, []string{
			"iam:dev:role:appeng iam:CreateRole not in AWS yet",
			"iam:dev:role:appeng:inline:bulkhead-appeng iam:PutRolePolicy not in AWS yet",
		}, nil},
		{"the same, written differently", acctWith(role(nil)), acctWith(role(func(r *org.IAMRole) { r.InlinePolicies["bulkhead-appeng"] = docA2; managed(r) })), false, nil, nil},
		{"policy file renamed, same content: nothing", acctWith(role(nil)), acctWith(role(managed)), false, nil, nil},
		{"policy content changed: an update in place", acctWith(role(func(r *org.IAMRole) { r.InlinePolicies["bulkhead-appeng"] = docB })), acctWith(role(managed)), false, []string{
			"iam:dev:role:appeng:inline:bulkhead-appeng iam:PutRolePolicy policy bulkhead-appeng differs from the layout",
		}, nil},
		{"AdministratorAccess attached outside", acctWith(role(nil)), acctWith(role(func(r *org.IAMRole) {
			managed(r)
			r.ManagedPolicies = []string{"arn:aws:iam::aws:policy/AdministratorAccess"}
		})), false, []string{
			"iam:dev:role:appeng:attach:arn:aws:iam::aws:policy/AdministratorAccess iam:DetachRolePolicy not in the layout",
		}, nil},
		{"trust, session and boundary changed", acctWith(role(func(r *org.IAMRole) { r.MaxSession = 7200; r.Boundary = "arn:aws:iam::aws:policy/PowerUserAccess" })),
			acctWith(role(func(r *org.IAMRole) { managed(r); r.Trust = docA })), false, []string{
				"iam:dev:role:appeng:trust iam:UpdateAssumeRolePolicy the trust policy differs from the layout",
				"iam:dev:role:appeng:max-session iam:UpdateRole the maximum session duration differs from the layout",
				"iam:dev:role:appeng:boundary iam:PutRolePermissionsBoundary the permissions boundary differs from the layout",
			}, nil},
		{"a role bulkhead made, gone from the layout: withheld", acctWith(), acctWith(role(managed)), false, nil,
			[]string{"delete role appeng in dev (needs --allow-destroy)"}},
		{"... and deleted with --allow-destroy", acctWith(), acctWith(role(managed)), true, []string{
			"iam:dev:role:appeng iam:DeleteRole not in the layout",
		}, nil},
		{"a role made outside bulkhead is left alone", acctWith(), acctWith(role(nil)), true, nil, nil},
		{"the CI role is created only when missing", acctWith(role(func(r *org.IAMRole) { r.CreateOnly = true })), acctWith(role(func(r *org.IAMRole) { r.Trust = docB })), false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := DiffIAM(tt.want, tt.live, IAMOptions{AllowDestroy: tt.destroy})
			var got []string
			for _, op := range d.Ops {
				got = append(got, op.ID+" "+string(op.Kind)+" "+op.Reason)
			}
			if diff := cmp.Diff(tt.ops, got); diff != "" {
				t.Errorf("operations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.withheld, d.Withheld); diff != "" {
				t.Errorf("withheld (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDiffIAMPeople: users and groups of the identity account; a person
// removed from the layout is deleted only with --allow-destroy, a user
// made outside bulkhead is listed as unmanaged.
func TestDiffIAMPeople(t *testing.T) {
	mk := func(users ...*org.IAMUser) *org.IAM {
		i := org.NewIAM()
		a := org.NewAccountIAM("management", "111111111111")
		a.Identity = true
		a.Groups["engineers"] = &org.IAMGroup{Name: "engineers", InlinePolicies: map[string]string{AssumePolicyName: docA}}
		for _, u := range users {
			a.Users[u.Name] = u
		}
		i.Accounts["management"] = a
		return i
	}
	alice := &org.IAMUser{Name: "alice", Groups: []string{"engineers"}}
	bob := &org.IAMUser{Name: "bob", Groups: []string{"engineers"}, Tags: map[string]string{ManagedTag: "true"}}
	carol := &org.IAMUser{Name: "carol"}
	live := mk(&org.IAMUser{Name: "alice", Groups: []string{"engineers"}, Tags: map[string]string{ManagedTag: "true"}}, bob, carol)
	live.Accounts["management"].Groups["engineers"].InlinePolicies = nil // deleted outside bulkhead

	d := DiffIAM(mk(alice), live, IAMOptions{})
	var got []string
	for _, op := range d.Ops {
		got = append(got, op.ID+" "+op.Reason)
	}
	want := []string{"iam:management:group:engineers:inline:bulkhead-assume-roles drift: policy bulkhead-assume-roles of group engineers deleted or changed outside bulkhead"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"delete user bob in management (no longer in the layout) (needs --allow-destroy)"}, d.Withheld); diff != "" {
		t.Errorf("withheld (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"user carol in management"}, d.Unmanaged); diff != "" {
		t.Errorf("unmanaged (-want +got):\n%s", diff)
	}
	// A user of the layout made outside bulkhead is adopted (tagged), so
	// that removing the person later deletes it.
	untagged := mk(&org.IAMUser{Name: "alice", Groups: []string{"engineers"}})
	d = DiffIAM(mk(alice), untagged, IAMOptions{})
	if len(d.Ops) != 1 || d.Ops[0].IAM.Action != "TagUser" || d.Ops[0].IAM.Tags[ManagedTag] != "true" {
		t.Errorf("adoption: %+v", d.Ops)
	}
	d = DiffIAM(mk(alice), live, IAMOptions{AllowDestroy: true})
	if len(d.Ops) != 2 || d.Ops[1].IAM.Action != "DeleteUser" || d.Ops[1].IAM.User != "bob" || !d.Ops[1].Destructive {
		t.Errorf("with --allow-destroy: %+v", d.Ops)
	}
}

func TestPolicyEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{docA, docA, true},
		{docA, docA2, true},
		{docA, docB, false},
		{docA, "not json", false},
		{`{"a":["x","y"]}`, `{"a":["y","x"]}`, false}, // order of a list is kept: IAM keeps it too
	}
	for _, tt := range tests {
		if got := PolicyEqual(tt.a, tt.b); got != tt.want {
			t.Errorf("PolicyEqual(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestPolicyDelta(t *testing.T) {
	tests := []struct{ live, want, delta string }{
		{docA, docB, "-Allow s3:* +Allow ec2:*"},
		{docA, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}`, "resources or conditions differ"},
		{trust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"sts:AssumeRole"}]}`,
			"-Allow AWS:arn:aws:iam::111111111111:root +Allow AWS:arn:aws:iam::333333333333:root"},
		{"not json", docA, ""},
	}
	for _, tt := range tests {
		if got := policyDelta(tt.live, tt.want); got != tt.delta {
			t.Errorf("policyDelta(%s, %s) = %q, want %q", tt.live, tt.want, got, tt.delta)
		}
	}
}
