package organizations_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
)

var handshakeIDRe = regexp.MustCompile(`^h-[a-z0-9]{32}$`)

// standalone creates an account and removes it from the organization, so
// it exists but belongs to none.
func (h *harness) standalone(name string) (string, *orgs.Client) {
	h.t.Helper()
	id := h.createAccount(name)
	if _, err := h.c.RemoveAccountFromOrganization(h.ctx, &orgs.RemoveAccountFromOrganizationInput{AccountId: &id}); err != nil {
		h.t.Fatal(err)
	}
	return id, h.memberClient(id)
}

func (h *harness) invite(target string, typ types.HandshakePartyType) *types.Handshake {
	h.t.Helper()
	out, err := h.c.InviteAccountToOrganization(h.ctx, &orgs.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: &target, Type: typ}, Notes: aws.String("join us"),
		Tags: []types.Tag{{Key: aws.String("invited"), Value: aws.String("yes")}}})
	if err != nil {
		h.t.Fatalf("InviteAccountToOrganization %s: %v", target, err)
	}
	return out.Handshake
}

// Invitations (API_InviteAccountToOrganization.html, API_AcceptHandshake.html,
// API_DeclineHandshake.html, API_CancelHandshake.html).
func TestInvitations(t *testing.T) {
	h := start(t, organizations.Config{CreateAccountDelay: -1})
	h.createOrg()
	alice, aliceC := h.standalone("alice")
	bob, bobC := h.standalone("bob")
	carol, carolC := h.standalone("carol")

	hs := h.invite(alice, types.HandshakePartyTypeAccount)
	mustMatch(t, handshakeIDRe, hs.Id)
	if hs.State != types.HandshakeStateOpen || hs.Action != types.ActionTypeInviteAccountToOrganization || len(hs.Parties) != 2 ||
		!hs.ExpirationTimestamp.Equal(hs.RequestedTimestamp.Add(15*24*time.Hour)) {
		t.Fatalf("invitation = %+v", hs)
	}
	_, err := h.c.InviteAccountToOrganization(h.ctx, &orgs.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: &alice, Type: types.HandshakePartyTypeAccount}})
	wantErr(t, err, "DuplicateHandshakeException", "")
	mine, err := aliceC.ListHandshakesForAccount(h.ctx, &orgs.ListHandshakesForAccountInput{})
	if err != nil || len(mine.Handshakes) != 1 || *mine.Handshakes[0].Id != *hs.Id {
		t.Fatalf("ListHandshakesForAccount: %+v %v", mine, err)
	}
	_, err = bobC.DescribeHandshake(h.ctx, &orgs.DescribeHandshakeInput{HandshakeId: hs.Id})
	wantErr(t, err, "HandshakeNotFoundException", "")
	_, err = h.c.AcceptHandshake(h.ctx, &orgs.AcceptHandshakeInput{HandshakeId: hs.Id})
	wantErr(t, err, "AccessDeniedException", "")

	acc, err := aliceC.AcceptHandshake(h.ctx, &orgs.AcceptHandshakeInput{HandshakeId: hs.Id})
	if err != nil || acc.Handshake.State != types.HandshakeStateAccepted {
		t.Fatalf("AcceptHandshake: %+v %v", acc, err)
	}
	_, err = aliceC.AcceptHandshake(h.ctx, &orgs.AcceptHandshakeInput{HandshakeId: hs.Id})
	wantErr(t, err, "HandshakeAlreadyInStateException", "")
	a, err := h.c.DescribeAccount(h.ctx, &orgs.DescribeAccountInput{AccountId: &alice})
	if err != nil || a.Account.JoinedMethod != types.AccountJoinedMethodInvited {
		t.Fatalf("joined account: %+v %v", a, err)
	}
	tags, err := h.c.ListTagsForResource(h.ctx, &orgs.ListTagsForResourceInput{ResourceId: &alice})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "invited" {
		t.Errorf("tags of the joined account: %+v %v", tags, err)
	}
	_, err = h.c.InviteAccountToOrganization(h.ctx, &orgs.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: &alice, Type: types.HandshakePartyTypeAccount}})
	wantErr(t, err, "HandshakeConstraintViolationException", "")

	// By email, declined.
	byEmail := h.invite("bob@example.com", types.HandshakePartyTypeEmail)
	dec, err := bobC.DeclineHandshake(h.ctx, &orgs.DeclineHandshakeInput{HandshakeId: byEmail.Id})
	if err != nil || dec.Handshake.State != types.HandshakeStateDeclined {
		t.Fatalf("DeclineHandshake: %+v %v", dec, err)
	}
	_, err = bobC.DescribeOrganization(h.ctx, &orgs.DescribeOrganizationInput{})
	wantErr(t, err, "AWSOrganizationsNotInUseException", "")
	_ = bob

	// Canceled by the management account.
	toCarol := h.invite(carol, types.HandshakePartyTypeAccount)
	if _, err := h.c.CancelHandshake(h.ctx, &orgs.CancelHandshakeInput{HandshakeId: toCarol.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = carolC.AcceptHandshake(h.ctx, &orgs.AcceptHandshakeInput{HandshakeId: toCarol.Id})
	wantErr(t, err, "InvalidHandshakeTransitionException", "")

	// Expired after 15 days.
	again := h.invite(carol, types.HandshakePartyTypeAccount)
	h.env.Clock.Advance(15 * 24 * time.Hour)
	d, err := carolC.DescribeHandshake(h.ctx, &orgs.DescribeHandshakeInput{HandshakeId: again.Id})
	if err != nil || d.Handshake.State != types.HandshakeStateExpired {
		t.Fatalf("expired handshake: %+v %v", d, err)
	}
	_, err = carolC.AcceptHandshake(h.ctx, &orgs.AcceptHandshakeInput{HandshakeId: again.Id})
	wantErr(t, err, "InvalidHandshakeTransitionException", "")

	all, err := h.c.ListHandshakesForOrganization(h.ctx, &orgs.ListHandshakesForOrganizationInput{Filter: &types.HandshakeFilter{ActionType: types.ActionTypeInviteAccountToOrganization}})
	if err != nil || len(all.Handshakes) != 4 {
		t.Errorf("ListHandshakesForOrganization: %d %v", len(all.Handshakes), err)
	}
	_, err = h.c.InviteAccountToOrganization(h.ctx, &orgs.InviteAccountToOrganizationInput{Target: &types.HandshakeParty{Id: aws.String("o-1234567890"), Type: types.HandshakePartyTypeOrganization}})
	wantErr(t, err, "InvalidInputException", "INVALID_PARTY_TYPE_TARGET")
	_, err = h.c.EnableAllFeatures(h.ctx, &orgs.EnableAllFeaturesInput{})
	wantErr(t, err, "HandshakeConstraintViolationException", "")
}

// A consolidated billing organization moves to all features once every
// invited member approves (API_EnableAllFeatures.html).
func TestEnableAllFeatures(t *testing.T) {
	h := start(t, organizations.Config{CreateAccountDelay: -1})
	if _, err := h.c.CreateOrganization(h.ctx, &orgs.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetConsolidatedBilling}); err != nil {
		t.Fatal(err)
	}
	root := h.rootID()
	_, err := h.c.EnablePolicyType(h.ctx, &orgs.EnablePolicyTypeInput{RootId: &root, PolicyType: types.PolicyTypeServiceControlPolicy})
	wantErr(t, err, "PolicyTypeNotAvailableForOrganizationException", "")
	h.createAccount("created") // created accounts approve implicitly
	dave, daveC := h.standalone("dave")
	inv := h.invite(dave, types.HandshakePartyTypeAccount)
	if _, err := daveC.AcceptHandshake(h.ctx, &orgs.AcceptHandshakeInput{HandshakeId: inv.Id}); err != nil {
		t.Fatal(err)
	}

	out, err := h.c.EnableAllFeatures(h.ctx, &orgs.EnableAllFeaturesInput{})
	if err != nil || out.Handshake.Action != types.ActionTypeEnableAllFeatures {
		t.Fatalf("EnableAllFeatures: %+v %v", out, err)
	}
	parent := out.Handshake.Id
	_, err = h.c.AcceptHandshake(h.ctx, &orgs.AcceptHandshakeInput{HandshakeId: parent})
	wantErr(t, err, "InvalidHandshakeTransitionException", "")
	mine, err := daveC.ListHandshakesForAccount(h.ctx, &orgs.ListHandshakesForAccountInput{Filter: &types.HandshakeFilter{ParentHandshakeId: parent}})
	if err != nil || len(mine.Handshakes) != 1 || mine.Handshakes[0].Action != types.ActionTypeApproveAllFeatures {
		t.Fatalf("approval handshakes: %+v %v", mine, err)
	}
	if _, err := daveC.AcceptHandshake(h.ctx, &orgs.AcceptHandshakeInput{HandshakeId: mine.Handshakes[0].Id}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.c.AcceptHandshake(h.ctx, &orgs.AcceptHandshakeInput{HandshakeId: parent}); err != nil {
		t.Fatalf("finalize: %v", err)
	}
	d, _ := h.c.DescribeOrganization(h.ctx, &orgs.DescribeOrganizationInput{})
	if d.Organization.FeatureSet != types.OrganizationFeatureSetAll {
		t.Errorf("FeatureSet = %s", d.Organization.FeatureSet)
	}
	if _, err := h.c.EnablePolicyType(h.ctx, &orgs.EnablePolicyTypeInput{RootId: &root, PolicyType: types.PolicyTypeServiceControlPolicy}); err != nil {
		t.Errorf("EnablePolicyType after all features: %v", err)
	}
}

func TestGovCloudAndValidationListings(t *testing.T) {
	h := start(t, organizations.Config{CreateAccountDelay: -1})
	h.createOrg()
	_, err := h.c.CreateGovCloudAccount(h.ctx, &orgs.CreateGovCloudAccountInput{AccountName: aws.String("gov"), Email: aws.String("gov@example.com")})
	wantErr(t, err, "ConstraintViolationException", "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED")
	inv, err := h.c.ListAccountsWithInvalidEffectivePolicy(h.ctx, &orgs.ListAccountsWithInvalidEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy})
	if err != nil || len(inv.Accounts) != 0 || inv.PolicyType != types.EffectivePolicyTypeTagPolicy {
		t.Errorf("ListAccountsWithInvalidEffectivePolicy: %+v %v", inv, err)
	}
	acct := h.createAccount("a")
	ve, err := h.c.ListEffectivePolicyValidationErrors(h.ctx, &orgs.ListEffectivePolicyValidationErrorsInput{AccountId: &acct, PolicyType: types.EffectivePolicyTypeBackupPolicy})
	if err != nil || len(ve.EffectivePolicyValidationErrors) != 0 || *ve.AccountId != acct || ve.Path == nil {
		t.Errorf("ListEffectivePolicyValidationErrors: %+v %v", ve, err)
	}
}
