package organizations_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
)

// Billing responsibility transfers between two organizations
// (API_InviteOrganizationToTransferResponsibility.html).
func TestResponsibilityTransfers(t *testing.T) {
	h := start(t, organizations.Config{CreateAccountDelay: -1})
	h.createOrg()
	other, otherC := h.standalone("other-mgmt")
	if _, err := otherC.CreateOrganization(h.ctx, &orgs.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	now := h.env.Clock.Now().UTC()
	next := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	invite := func(start time.Time, target string) (*orgs.InviteOrganizationToTransferResponsibilityOutput, error) {
		return h.c.InviteOrganizationToTransferResponsibility(h.ctx, &orgs.InviteOrganizationToTransferResponsibilityInput{
			SourceName: aws.String("billing for other"), StartTimestamp: &start, Type: types.ResponsibilityTransferTypeBilling,
			Target: &types.HandshakeParty{Id: &target, Type: types.HandshakePartyTypeAccount},
		})
	}
	_, err := invite(next.Add(time.Hour), other)
	wantErr(t, err, "InvalidInputException", "START_DATE_NOT_BEGINNING_OF_MONTH")
	_, err = invite(next.AddDate(0, -2, 0), other)
	wantErr(t, err, "InvalidInputException", "START_DATE_TOO_EARLY")
	_, err = invite(next, h.env.AccountID)
	wantErr(t, err, "HandshakeConstraintViolationException", "")
	member := h.createAccount("member")
	_, err = invite(next, member)
	wantErr(t, err, "HandshakeConstraintViolationException", "")

	out, err := invite(next, other)
	if err != nil {
		t.Fatal(err)
	}
	hs := out.Handshake
	if hs.Action != types.ActionTypeTransferResponsibility || hs.State != types.HandshakeStateOpen {
		t.Fatalf("handshake = %+v", hs)
	}
	var rtID string
	for _, r := range hs.Resources {
		if r.Type == types.HandshakeResourceTypeResponsibilityTransfer {
			rtID = *r.Value
		}
	}
	_, err = invite(next, other)
	wantErr(t, err, "HandshakeConstraintViolationException", "")

	outb, err := otherC.ListOutboundResponsibilityTransfers(h.ctx, &orgs.ListOutboundResponsibilityTransfersInput{Type: types.ResponsibilityTransferTypeBilling})
	if err != nil || len(outb.ResponsibilityTransfers) != 1 {
		t.Fatalf("outbound: %+v %v", outb, err)
	}
	rt := outb.ResponsibilityTransfers[0]
	if *rt.Id != rtID || rt.Status != types.ResponsibilityTransferStatusRequested || *rt.Source.ManagementAccountId != other ||
		*rt.Target.ManagementAccountId != h.env.AccountID || !rt.StartTimestamp.Equal(next) || *rt.ActiveHandshakeId != *hs.Id {
		t.Errorf("outbound transfer = %+v", rt)
	}
	if _, err := otherC.AcceptHandshake(h.ctx, &orgs.AcceptHandshakeInput{HandshakeId: hs.Id}); err != nil {
		t.Fatal(err)
	}
	in, err := h.c.ListInboundResponsibilityTransfers(h.ctx, &orgs.ListInboundResponsibilityTransfersInput{Type: types.ResponsibilityTransferTypeBilling})
	if err != nil || len(in.ResponsibilityTransfers) != 1 || in.ResponsibilityTransfers[0].Status != types.ResponsibilityTransferStatusAccepted {
		t.Fatalf("inbound: %+v %v", in, err)
	}
	up, err := h.c.UpdateResponsibilityTransfer(h.ctx, &orgs.UpdateResponsibilityTransferInput{Id: &rtID, Name: aws.String("renamed")})
	if err != nil || *up.ResponsibilityTransfer.Name != "renamed" {
		t.Fatalf("UpdateResponsibilityTransfer: %+v %v", up, err)
	}
	_, err = h.memberClient(member).DescribeResponsibilityTransfer(h.ctx, &orgs.DescribeResponsibilityTransferInput{Id: &rtID})
	wantErr(t, err, "ResponsibilityTransferNotFoundException", "")
	term, err := h.c.TerminateResponsibilityTransfer(h.ctx, &orgs.TerminateResponsibilityTransferInput{Id: &rtID})
	if err != nil || term.ResponsibilityTransfer.Status != types.ResponsibilityTransferStatusWithdrawn || term.ResponsibilityTransfer.EndTimestamp == nil {
		t.Fatalf("TerminateResponsibilityTransfer: %+v %v", term, err)
	}
	_, err = h.c.TerminateResponsibilityTransfer(h.ctx, &orgs.TerminateResponsibilityTransferInput{Id: &rtID})
	wantErr(t, err, "InvalidResponsibilityTransferTransitionException", "")
	d, err := otherC.DescribeResponsibilityTransfer(h.ctx, &orgs.DescribeResponsibilityTransferInput{Id: &rtID})
	if err != nil || d.ResponsibilityTransfer.Status != types.ResponsibilityTransferStatusWithdrawn {
		t.Errorf("DescribeResponsibilityTransfer: %+v %v", d, err)
	}
}
