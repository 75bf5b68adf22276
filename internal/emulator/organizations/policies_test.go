package organizations_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

const denyS3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`

func (h *harness) createPolicy(name string, typ types.PolicyType, content string) string {
	h.t.Helper()
	out, err := h.c.CreatePolicy(h.ctx, &orgs.CreatePolicyInput{Name: aws.String(name), Description: aws.String("test " + name), Type: typ, Content: aws.String(content)})
	if err != nil {
		h.t.Fatalf("CreatePolicy %s: %v", name, err)
	}
	return *out.Policy.PolicySummary.Id
}

// SCPs: FullAWSAccess is attached everywhere when the type is enabled
// (orgs_manage_policies_scps.html), a target keeps at least one SCP, and
// per-target and size quotas apply (orgs_reference_limits.html).
func TestServiceControlPolicies(t *testing.T) {
	h := start(t, organizations.Config{})
	o := h.createOrg()
	root := h.rootID()
	ouBefore := h.createOU(root, "before")
	acctBefore := h.createAccount("before")

	list, err := h.c.ListPolicies(h.ctx, &orgs.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy})
	if err != nil || len(list.Policies) != 1 {
		t.Fatalf("ListPolicies: %+v %v", list, err)
	}
	full := list.Policies[0]
	want := types.PolicySummary{Id: aws.String("p-FullAWSAccess"), Arn: aws.String("arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"),
		Name: aws.String("FullAWSAccess"), Description: full.Description, Type: types.PolicyTypeServiceControlPolicy, AwsManaged: true}
	if diff := cmp.Diff(want, full, cmp.AllowUnexported(types.PolicySummary{})); diff != "" {
		t.Errorf("FullAWSAccess (-want +got):\n%s", diff)
	}

	deny := h.createPolicy("deny-s3", types.PolicyTypeServiceControlPolicy, denyS3)
	mustMatch(t, polIDRe, &deny)
	_, err = h.c.AttachPolicy(h.ctx, &orgs.AttachPolicyInput{PolicyId: &deny, TargetId: &acctBefore})
	wantErr(t, err, "PolicyTypeNotEnabledException", "")

	en, err := h.c.EnablePolicyType(h.ctx, &orgs.EnablePolicyTypeInput{RootId: &root, PolicyType: types.PolicyTypeServiceControlPolicy})
	if err != nil || len(en.Root.PolicyTypes) != 1 || en.Root.PolicyTypes[0].Status != types.PolicyTypeStatusEnabled {
		t.Fatalf("EnablePolicyType: %+v %v", en, err)
	}
	_, err = h.c.EnablePolicyType(h.ctx, &orgs.EnablePolicyTypeInput{RootId: &root, PolicyType: types.PolicyTypeServiceControlPolicy})
	wantErr(t, err, "PolicyTypeAlreadyEnabledException", "")
	_, err = h.c.EnablePolicyType(h.ctx, &orgs.EnablePolicyTypeInput{RootId: aws.String("r-zzzz"), PolicyType: types.PolicyTypeServiceControlPolicy})
	wantErr(t, err, "RootNotFoundException", "")
	_, err = h.c.EnablePolicyType(h.ctx, &orgs.EnablePolicyTypeInput{RootId: &root, PolicyType: "NOT_A_TYPE"})
	wantErr(t, err, "InvalidInputException", "INVALID_ENUM_POLICY_TYPE")

	ouAfter := h.createOU(root, "after")
	acctAfter := h.createAccount("after")
	for _, target := range []string{root, ouBefore, acctBefore, ouAfter, acctAfter, h.env.AccountID} {
		if got := h.policyIDsFor(target, types.PolicyTypeServiceControlPolicy); !slices.Equal(got, []string{"p-FullAWSAccess"}) {
			t.Errorf("SCPs on %s = %v, want [p-FullAWSAccess]", target, got)
		}
	}
	targets, err := h.c.ListTargetsForPolicy(h.ctx, &orgs.ListTargetsForPolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	if err != nil || len(targets.Targets) != 6 {
		t.Fatalf("ListTargetsForPolicy: %d %v", len(targets.Targets), err)
	}

	// The last SCP can't be detached; with another attached it can.
	_, err = h.c.DetachPolicy(h.ctx, &orgs.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: &acctAfter})
	wantErr(t, err, "ConstraintViolationException", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	if _, err := h.c.AttachPolicy(h.ctx, &orgs.AttachPolicyInput{PolicyId: &deny, TargetId: &acctAfter}); err != nil {
		t.Fatal(err)
	}
	_, err = h.c.AttachPolicy(h.ctx, &orgs.AttachPolicyInput{PolicyId: &deny, TargetId: &acctAfter})
	wantErr(t, err, "DuplicatePolicyAttachmentException", "")
	if _, err := h.c.DetachPolicy(h.ctx, &orgs.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: &acctAfter}); err != nil {
		t.Fatalf("DetachPolicy FullAWSAccess with another SCP attached: %v", err)
	}
	_, err = h.c.DetachPolicy(h.ctx, &orgs.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: &acctAfter})
	wantErr(t, err, "PolicyNotAttachedException", "")
	targets, _ = h.c.ListTargetsForPolicy(h.ctx, &orgs.ListTargetsForPolicyInput{PolicyId: &deny})
	if len(targets.Targets) != 1 || *targets.Targets[0].TargetId != acctAfter || targets.Targets[0].Type != types.TargetTypeAccount || *targets.Targets[0].Name != "after" {
		t.Errorf("targets of deny = %+v", targets.Targets)
	}

	// At most 5 SCPs directly on a target.
	for i := 0; i < 4; i++ {
		id := h.createPolicy(fmt.Sprintf("extra%d", i), types.PolicyTypeServiceControlPolicy, denyS3)
		if _, err := h.c.AttachPolicy(h.ctx, &orgs.AttachPolicyInput{PolicyId: &id, TargetId: &ouAfter}); err != nil {
			t.Fatalf("attach %d: %v", i, err)
		}
	}
	_, err = h.c.AttachPolicy(h.ctx, &orgs.AttachPolicyInput{PolicyId: &deny, TargetId: &ouAfter})
	wantErr(t, err, "ConstraintViolationException", "POLICY_NUMBER_LIMIT_EXCEEDED")
	_, err = h.c.AttachPolicy(h.ctx, &orgs.AttachPolicyInput{PolicyId: &deny, TargetId: aws.String("ou-zzzz-zzzzzzzz")})
	wantErr(t, err, "TargetNotFoundException", "")
	_, err = h.c.AttachPolicy(h.ctx, &orgs.AttachPolicyInput{PolicyId: aws.String("p-zzzzzzzz"), TargetId: &ouAfter})
	wantErr(t, err, "PolicyNotFoundException", "")

	// PolicyChain, for the policy engine: root first, then the OU, then
	// the account.
	if _, err := h.c.MoveAccount(h.ctx, &orgs.MoveAccountInput{AccountId: &acctAfter, SourceParentId: &root, DestinationParentId: &ouAfter}); err != nil {
		t.Fatal(err)
	}
	var chain organizations.Chain
	err = h.env.Emulator.Read(h.ctx, func(tx store.Tx) error {
		var err error
		chain, err = organizations.PolicyChain(tx, acctAfter, "SERVICE_CONTROL_POLICY")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var levels []string
	for _, l := range chain.Levels {
		var ids []string
		for _, p := range l.Policies {
			ids = append(ids, p.Name)
		}
		levels = append(levels, l.TargetType+":"+strings.Join(ids, ","))
	}
	// The OU's five policies come in policy id order, which is random.
	if !chain.InOrganization || chain.Management || !chain.Enabled || chain.OrganizationID != *o.Id || len(levels) != 3 ||
		levels[0] != "ROOT:FullAWSAccess" || levels[2] != "ACCOUNT:deny-s3" || len(chain.Levels[1].Policies) != 5 || chain.Levels[1].TargetID != ouAfter {
		t.Errorf("PolicyChain = %+v (%v)", chain, levels)
	}
	if chain.Levels[2].Policies[0].Content != denyS3 {
		t.Errorf("chain content = %s", chain.Levels[2].Policies[0].Content)
	}
	err = h.env.Emulator.Read(h.ctx, func(tx store.Tx) error {
		var err error
		chain, err = organizations.PolicyChain(tx, "111111111111", "SERVICE_CONTROL_POLICY")
		return err
	})
	if err != nil || chain.InOrganization {
		t.Errorf("PolicyChain outside any organization = %+v %v", chain, err)
	}

	// AWS-managed FullAWSAccess is immutable; attached policies can't be
	// deleted.
	_, err = h.c.UpdatePolicy(h.ctx, &orgs.UpdatePolicyInput{PolicyId: aws.String("p-FullAWSAccess"), Name: aws.String("x")})
	wantErr(t, err, "InvalidInputException", "IMMUTABLE_POLICY")
	_, err = h.c.DeletePolicy(h.ctx, &orgs.DeletePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	wantErr(t, err, "InvalidInputException", "IMMUTABLE_POLICY")
	_, err = h.c.DeletePolicy(h.ctx, &orgs.DeletePolicyInput{PolicyId: &deny})
	wantErr(t, err, "PolicyInUseException", "")

	// Disabling the type detaches every SCP.
	dis, err := h.c.DisablePolicyType(h.ctx, &orgs.DisablePolicyTypeInput{RootId: &root, PolicyType: types.PolicyTypeServiceControlPolicy})
	if err != nil || len(dis.Root.PolicyTypes) != 0 {
		t.Fatalf("DisablePolicyType: %+v %v", dis, err)
	}
	if got := h.policyIDsFor(acctAfter, types.PolicyTypeServiceControlPolicy); len(got) != 0 {
		t.Errorf("SCPs after disabling: %v", got)
	}
	_, err = h.c.DisablePolicyType(h.ctx, &orgs.DisablePolicyTypeInput{RootId: &root, PolicyType: types.PolicyTypeServiceControlPolicy})
	wantErr(t, err, "PolicyTypeNotEnabledException", "")
	if _, err := h.c.DeletePolicy(h.ctx, &orgs.DeletePolicyInput{PolicyId: &deny}); err != nil {
		t.Fatalf("DeletePolicy after detach: %v", err)
	}
	_, err = h.c.DescribePolicy(h.ctx, &orgs.DescribePolicyInput{PolicyId: &deny})
	wantErr(t, err, "PolicyNotFoundException", "")
}

// CreatePolicy, DescribePolicy, UpdatePolicy: validation, names and the
// per-type size quota (5,120 characters for SCPs, 10,000 for tag
// policies; orgs_reference_limits.html).
func TestPolicyDocuments(t *testing.T) {
	h := start(t, organizations.Config{})
	h.createOrg()
	id := h.createPolicy("p1", types.PolicyTypeServiceControlPolicy, denyS3)
	d, err := h.c.DescribePolicy(h.ctx, &orgs.DescribePolicyInput{PolicyId: &id})
	if err != nil || *d.Policy.Content != denyS3 || *d.Policy.PolicySummary.Name != "p1" || d.Policy.PolicySummary.AwsManaged {
		t.Fatalf("DescribePolicy: %+v %v", d, err)
	}
	if !strings.HasSuffix(*d.Policy.PolicySummary.Arn, ":policy/"+strings.Split(*d.Policy.PolicySummary.Arn, "/")[1]+"/service_control_policy/"+id) {
		t.Errorf("Arn = %s", *d.Policy.PolicySummary.Arn)
	}
	up, err := h.c.UpdatePolicy(h.ctx, &orgs.UpdatePolicyInput{PolicyId: &id, Name: aws.String("p1-renamed"), Description: aws.String("new")})
	if err != nil || *up.Policy.PolicySummary.Name != "p1-renamed" || *up.Policy.PolicySummary.Description != "new" || *up.Policy.Content != denyS3 {
		t.Fatalf("UpdatePolicy: %+v %v", up, err)
	}
	h.createPolicy("p2", types.PolicyTypeServiceControlPolicy, denyS3)
	h.createPolicy("p2", types.PolicyTypeTagPolicy, `{"tags":{}}`) // names are per type

	pad := func(n int) string { // a valid SCP of exactly n characters
		base := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Sid":""}]}`
		return strings.Replace(base, `"Sid":""`, `"Sid":"`+strings.Repeat("a", n-len(base))+`"`, 1)
	}
	h.createPolicy("max", types.PolicyTypeServiceControlPolicy, pad(5120))
	for _, tc := range []struct {
		name   string
		in     orgs.CreatePolicyInput
		code   string
		reason string
	}{
		{"too big", orgs.CreatePolicyInput{Name: aws.String("big"), Description: aws.String(""), Type: types.PolicyTypeServiceControlPolicy, Content: aws.String(pad(5121))}, "ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED"},
		{"duplicate", orgs.CreatePolicyInput{Name: aws.String("p2"), Description: aws.String(""), Type: types.PolicyTypeServiceControlPolicy, Content: aws.String(denyS3)}, "DuplicatePolicyException", ""},
		{"not json", orgs.CreatePolicyInput{Name: aws.String("bad"), Description: aws.String(""), Type: types.PolicyTypeServiceControlPolicy, Content: aws.String("{")}, "MalformedPolicyDocumentException", ""},
		{"no statement", orgs.CreatePolicyInput{Name: aws.String("bad"), Description: aws.String(""), Type: types.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17"}`)}, "MalformedPolicyDocumentException", ""},
		{"bad type", orgs.CreatePolicyInput{Name: aws.String("bad"), Description: aws.String(""), Type: "NOPE", Content: aws.String(denyS3)}, "InvalidInputException", "INVALID_ENUM_POLICY_TYPE"},
		{"long name", orgs.CreatePolicyInput{Name: aws.String(strings.Repeat("n", 129)), Description: aws.String(""), Type: types.PolicyTypeServiceControlPolicy, Content: aws.String(denyS3)}, "InvalidInputException", "MAX_LENGTH_EXCEEDED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.c.CreatePolicy(h.ctx, &tc.in)
			wantErr(t, err, tc.code, tc.reason)
		})
	}
	_, err = h.c.UpdatePolicy(h.ctx, &orgs.UpdatePolicyInput{PolicyId: &id, Name: aws.String("p2")})
	wantErr(t, err, "DuplicatePolicyException", "")
	_, err = h.c.UpdatePolicy(h.ctx, &orgs.UpdatePolicyInput{PolicyId: &id, Content: aws.String(pad(5121))})
	wantErr(t, err, "ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED")
	_, err = h.c.DescribePolicy(h.ctx, &orgs.DescribePolicyInput{PolicyId: aws.String("nope")})
	wantErr(t, err, "InvalidInputException", "INVALID_SYNTAX_POLICY_ID")

	tagPols, err := h.c.ListPolicies(h.ctx, &orgs.ListPoliciesInput{Filter: types.PolicyTypeTagPolicy})
	if err != nil || len(tagPols.Policies) != 1 {
		t.Errorf("ListPolicies TAG_POLICY: %+v %v", tagPols, err)
	}
}

// Enabling RCPs attaches RCPFullAWSAccess everywhere; it can't be
// detached.
func TestResourceControlPolicies(t *testing.T) {
	h := start(t, organizations.Config{})
	h.createOrg()
	root := h.rootID()
	if _, err := h.c.EnablePolicyType(h.ctx, &orgs.EnablePolicyTypeInput{RootId: &root, PolicyType: types.PolicyTypeResourceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	if got := h.policyIDsFor(h.env.AccountID, types.PolicyTypeResourceControlPolicy); !slices.Equal(got, []string{"p-RCPFullAWSAccess"}) {
		t.Errorf("RCPs on management account = %v", got)
	}
	_, err := h.c.DetachPolicy(h.ctx, &orgs.DetachPolicyInput{PolicyId: aws.String("p-RCPFullAWSAccess"), TargetId: &root})
	wantErr(t, err, "InvalidInputException", "NON_DETACHABLE_POLICY")
}
