package organizations_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
)

// DescribeEffectivePolicy (API_DescribeEffectivePolicy.html) for tag
// policies inherited root → OU → account.
func TestDescribeEffectivePolicy(t *testing.T) {
	h := start(t, organizations.Config{})
	h.createOrg()
	root := h.rootID()
	ou := h.createOU(root, "workloads")
	acct := h.createAccount("app")
	if _, err := h.c.MoveAccount(h.ctx, &orgs.MoveAccountInput{AccountId: &acct, SourceParentId: &root, DestinationParentId: &ou}); err != nil {
		t.Fatal(err)
	}
	_, err := h.c.DescribeEffectivePolicy(h.ctx, &orgs.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: &acct})
	wantErr(t, err, "EffectivePolicyNotFoundException", "")

	if _, err := h.c.EnablePolicyType(h.ctx, &orgs.EnablePolicyTypeInput{RootId: &root, PolicyType: types.PolicyTypeTagPolicy}); err != nil {
		t.Fatal(err)
	}
	attach := func(name, content, target string) {
		t.Helper()
		id := h.createPolicy(name, types.PolicyTypeTagPolicy, content)
		if _, err := h.c.AttachPolicy(h.ctx, &orgs.AttachPolicyInput{PolicyId: &id, TargetId: &target}); err != nil {
			t.Fatal(err)
		}
	}
	attach("root", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]}}}}`, root)
	attach("ou", `{"tags":{"costcenter":{"tag_value":{"@@append":["300"]}}}}`, ou)
	attach("acct", `{"tags":{"costcenter":{"tag_value":{"@@remove":["100"]}}}}`, acct)
	h.env.Clock.Advance(1)

	out, err := h.c.DescribeEffectivePolicy(h.ctx, &orgs.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: &acct})
	if err != nil {
		t.Fatal(err)
	}
	ep := out.EffectivePolicy
	var got any
	if err := json.Unmarshal([]byte(*ep.PolicyContent), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"tags": map[string]any{"costcenter": map[string]any{"tag_key": "CostCenter", "tag_value": []any{"200", "300"}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("effective tag policy (-want +got):\n%s", diff)
	}
	if *ep.TargetId != acct || ep.PolicyType != types.EffectivePolicyTypeTagPolicy || ep.LastUpdatedTimestamp == nil || ep.LastUpdatedTimestamp.After(h.env.Clock.Now()) {
		t.Errorf("EffectivePolicy = %+v", ep)
	}

	// A member asks for its own, without TargetId.
	own, err := h.memberClient(acct).DescribeEffectivePolicy(h.ctx, &orgs.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy})
	if err != nil || *own.EffectivePolicy.PolicyContent != *ep.PolicyContent {
		t.Errorf("member's own effective policy: %+v %v", own, err)
	}
	_, err = h.memberClient(acct).DescribeEffectivePolicy(h.ctx, &orgs.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: aws.String(h.env.AccountID)})
	wantErr(t, err, "AccessDeniedException", "")

	_, err = h.c.DescribeEffectivePolicy(h.ctx, &orgs.DescribeEffectivePolicyInput{PolicyType: "SERVICE_CONTROL_POLICY", TargetId: &acct})
	wantErr(t, err, "InvalidInputException", "INVALID_ENUM_POLICY_TYPE")
	_, err = h.c.DescribeEffectivePolicy(h.ctx, &orgs.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: &ou})
	wantErr(t, err, "InvalidInputException", "TARGET_NOT_SUPPORTED")
	_, err = h.c.DescribeEffectivePolicy(h.ctx, &orgs.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: aws.String("999999999999")})
	wantErr(t, err, "TargetNotFoundException", "")
}
