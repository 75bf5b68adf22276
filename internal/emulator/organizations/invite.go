package organizations

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// InviteAccountToOrganization (API_InviteAccountToOrganization.html)
// opens an INVITE handshake for an existing account outside any
// organization, named by id or by email.

type inviteIn struct {
	Target *struct {
		Id   *string
		Type string
	}
	Notes *string
	Tags  []tagIn
}

func (s *Service) inviteAccountToOrganization(ctx context.Context, r *service.Request) (any, error) {
	var in inviteIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	if in.Target == nil {
		f.fail(invalid("INPUT_REQUIRED", "You must specify a value for Target."))
	} else {
		id := f.required("Target.Id", in.Target.Id)
		f.length("Target.Id", id, 1, 64)
		switch in.Target.Type {
		case "ACCOUNT":
			f.pattern("Target.Id", id, "INVALID_PARTY_TYPE_TARGET", accountIDPattern())
		case "EMAIL":
			f.pattern("Target.Id", id, "INVALID_EMAIL_ADDRESS_TARGET", emailPattern())
		default:
			f.fail(invalid("INVALID_PARTY_TYPE_TARGET", "Target.Type must be ACCOUNT or EMAIL, not %q.", in.Target.Type))
		}
	}
	if in.Notes != nil {
		f.length("Notes", *in.Notes, 0, 1024)
	}
	f.tags(in.Tags)
	if err := f.check(); err != nil {
		return nil, err
	}
	if err := s.checkCreateTags(in.Tags); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	target := *in.Target.Id
	acct := target
	if in.Target.Type == "EMAIL" {
		acct = ""
		if _, err := r.Tx.Get(emailTable, lower(target), &acct); err != nil {
			return nil, storeErr(r.Action, err)
		}
	}
	if acct != "" {
		other, err := loadOrg(r.Tx, acct)
		if err != nil {
			return nil, storeErr(r.Action, err)
		}
		if other != nil {
			return nil, withReason("HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION", "The account %s is already a member of an organization.", target)
		}
	}
	// Open invitations count toward the account quota (orgs_reference_limits.html).
	n, err := r.Tx.Count(accountTable, c.org.ID+"/")
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	open := 0
	dup := false
	err = r.Tx.Scan(handshakeByOrg, c.org.ID+"/", "", func(k string, _ store.Doc) (bool, error) {
		var h handshakeDoc
		if _, err := r.Tx.Get(handshakeTable, k[len(c.org.ID)+1:], &h); err != nil {
			return false, err
		}
		if h.Action == "INVITE" && h.state(r.Now) == "OPEN" {
			open++
			dup = dup || (h.TargetID == target || (acct != "" && h.TargetAccount == acct))
		}
		return true, nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if dup {
		return nil, awsErr("DuplicateHandshakeException", "An open invitation for %s already exists.", target)
	}
	if n+open >= s.quotas.MaxAccounts {
		return nil, withReason("HandshakeConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED", "The organization has reached its limit of %d accounts, open invitations included.", s.quotas.MaxAccounts)
	}
	h, err := s.newHandshake(r.Now, c.org, "INVITE")
	if err != nil {
		return nil, err
	}
	h.TargetType, h.TargetID, h.TargetAccount = in.Target.Type, target, acct
	if in.Notes != nil {
		h.Notes = *in.Notes
	}
	h.Tags = mergeTags(nil, in.Tags)
	if err := putHandshake(r.Tx, h); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"Handshake": handshakeView(h, r.Now)}, nil
}
