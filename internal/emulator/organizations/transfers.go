package organizations

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Responsibility transfers (billing transfer;
// API_InviteOrganizationToTransferResponsibility.html,
// API_ResponsibilityTransfer.html): the inviting management account
// offers to manage another organization's billing. The invited
// organization is the transfer's Source (its outbound transfers), the
// inviter its Target (inbound). The invitation is a TRANSFER_RESPONSIBILITY
// handshake; accepting, declining, cancelling or letting it expire settles
// the transfer's Status. The local AWS keeps the record and its life
// cycle; no bill moves.

var transferIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^rt-[0-9a-z]{8,32}$`) })

const (
	// transferTable: <rt id> → transferDoc.
	transferTable = "org.transfer"
	// transferInbound: <target management account>/<rt id> → "".
	transferInbound = "org.transfer-in"
	// transferOutbound: <source management account>/<rt id> → "".
	transferOutbound = "org.transfer-out"
)

type participantDoc struct {
	AccountID string `json:"accountId"`
	Email     string `json:"email"`
	OrgID     string `json:"orgId"`
}

type transferDoc struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	Source      participantDoc `json:"source"`
	Target      participantDoc `json:"target"`
	Start       time.Time      `json:"start"`
	End         time.Time      `json:"end,omitzero"`
	Status      string         `json:"status"`
	HandshakeID string         `json:"handshakeId"`
	Expires     time.Time      `json:"expires"`
}

func (t *transferDoc) status(now time.Time) string {
	if t.Status == "REQUESTED" && !now.Before(t.Expires) {
		return "EXPIRED"
	}
	return t.Status
}

type participantOut struct {
	ManagementAccountId    string
	ManagementAccountEmail string
}

type transferOut struct {
	Id                string
	Arn               string
	Name              string
	Type              string
	Status            string
	Source            participantOut
	Target            participantOut
	StartTimestamp    service.Time
	EndTimestamp      *service.Time `json:",omitempty"`
	ActiveHandshakeId string        `json:",omitempty"`
}

// transferView renders t as seen by account viewer (the ARN names the
// viewer's side: inbound for the target, outbound for the source).
func transferView(t *transferDoc, viewer string, now time.Time) transferOut {
	side, dir := t.Target, "inbound"
	if viewer == t.Source.AccountID {
		side, dir = t.Source, "outbound"
	}
	out := transferOut{
		Id: t.ID, Name: t.Name, Type: t.Type, Status: t.status(now),
		Arn:            fmt.Sprintf("arn:aws:organizations::%s:transfer/%s/%s/%s/%s", side.AccountID, side.OrgID, strings.ToLower(t.Type), dir, t.ID),
		Source:         participantOut{t.Source.AccountID, t.Source.Email},
		Target:         participantOut{t.Target.AccountID, t.Target.Email},
		StartTimestamp: service.Time(t.Start),
	}
	if !t.End.IsZero() {
		e := service.Time(t.End)
		out.EndTimestamp = &e
	}
	if out.Status == "REQUESTED" {
		out.ActiveHandshakeId = t.HandshakeID
	}
	return out
}

func putTransfer(tx store.Tx, t *transferDoc) error {
	return firstErr(
		func() error { return tx.Put(transferTable, t.ID, t) },
		func() error { return tx.Put(transferInbound, key(t.Target.AccountID, t.ID), "") },
		func() error { return tx.Put(transferOutbound, key(t.Source.AccountID, t.ID), "") },
	)
}

type transferIn struct {
	Id             *string
	Name           *string
	SourceName     *string
	Type           string
	StartTimestamp *service.Time
	EndTimestamp   *service.Time
	Notes          *string
	Tags           []tagIn
	Target         *struct {
		Id   *string
		Type string
	}
	pageIn
}

func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func (s *Service) inviteOrganizationToTransferResponsibility(ctx context.Context, r *service.Request) (any, error) {
	var in transferIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	name := f.required("SourceName", in.SourceName)
	f.length("SourceName", name, 1, 128)
	f.pattern("SourceName", name, "INVALID_PATTERN", accountNamePattern())
	f.enum("Type", in.Type, "BILLING")
	var target string
	if in.Target == nil {
		f.fail(invalid("INPUT_REQUIRED", "You must specify a value for Target."))
	} else {
		target = f.required("Target.Id", in.Target.Id)
		f.enum("Target.Type", in.Target.Type, "ACCOUNT", "EMAIL")
	}
	if in.StartTimestamp == nil {
		f.fail(invalid("INPUT_REQUIRED", "You must specify a value for StartTimestamp."))
	}
	f.tags(in.Tags)
	if err := f.check(); err != nil {
		return nil, err
	}
	if err := s.checkCreateTags(in.Tags); err != nil {
		return nil, err
	}
	start := time.Time(*in.StartTimestamp).UTC()
	switch {
	case !start.Equal(monthStart(start)):
		return nil, invalid("START_DATE_NOT_BEGINNING_OF_MONTH", "StartTimestamp must be midnight UTC on the first day of a month, such as %s.", monthStart(r.Now).AddDate(0, 1, 0).Format(time.RFC3339))
	case start.Before(monthStart(r.Now)):
		return nil, invalid("START_DATE_TOO_EARLY", "StartTimestamp can't be before the current month.")
	}
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	acct := target
	if in.Target.Type == "EMAIL" {
		acct = ""
		if _, err := r.Tx.Get(emailTable, lower(target), &acct); err != nil {
			return nil, storeErr(r.Action, err)
		}
	}
	if acct == c.org.MgmtAccountID {
		return nil, withReason("HandshakeConstraintViolationException", "SOURCE_AND_TARGET_CANNOT_MATCH", "You can't invite your own organization.")
	}
	other, err := loadOrg(r.Tx, acct)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if other == nil || other.MgmtAccountID != acct {
		return nil, withReason("HandshakeConstraintViolationException", "TARGET_ACCOUNT_VALIDATION_FAILURE", "%s is not the management account of an organization.", target)
	}
	dup := false
	err = r.Tx.Scan(transferOutbound, acct+"/", "", func(k string, _ store.Doc) (bool, error) {
		var t transferDoc
		if _, err := r.Tx.Get(transferTable, k[len(acct)+1:], &t); err != nil {
			return false, err
		}
		st := t.status(r.Now)
		dup = st == "REQUESTED" || (st == "ACCEPTED" && (t.End.IsZero() || r.Now.Before(t.End)))
		return !dup, nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if dup {
		return nil, withReason("HandshakeConstraintViolationException", "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS", "The organization of %s already has an open or active transfer.", acct)
	}
	h, err := s.newHandshake(r.Now, c.org, "TRANSFER_RESPONSIBILITY")
	if err != nil {
		return nil, err
	}
	id, err := ids{s.rand}.str(lowerAlnum, 16)
	if err != nil {
		return nil, err
	}
	t := &transferDoc{
		ID: "rt-" + id, Name: name, Type: in.Type, Start: start, Status: "REQUESTED", HandshakeID: h.ID, Expires: h.Expires,
		Source: participantDoc{AccountID: other.MgmtAccountID, Email: other.MgmtEmail, OrgID: other.ID},
		Target: participantDoc{AccountID: c.org.MgmtAccountID, Email: c.org.MgmtEmail, OrgID: c.org.ID},
	}
	h.TargetType, h.TargetID, h.TargetAccount, h.TransferID = in.Target.Type, target, acct, t.ID
	if in.Notes != nil {
		h.Notes = *in.Notes
	}
	err = firstErr(
		func() error { return putHandshake(r.Tx, h) },
		func() error { return putTransfer(r.Tx, t) },
		func() error { return c.putTags(t.ID, in.Tags) },
	)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"Handshake": handshakeView(h, r.Now)}, nil
}

// settleTransfer records the outcome of a TRANSFER_RESPONSIBILITY
// handshake on its transfer.
func settleTransfer(r *service.Request, h *handshakeDoc) error {
	var t transferDoc
	ok, err := r.Tx.Get(transferTable, h.TransferID, &t)
	if err != nil || !ok {
		return err
	}
	t.Status = h.State
	return putTransfer(r.Tx, &t)
}

// transfer loads a transfer the caller takes part in;
// ResponsibilityTransferNotFoundException otherwise.
func (s *Service) transfer(ctx context.Context, r *service.Request, in *transferIn) (*transferDoc, error) {
	var f field
	id := f.id("Id", in.Id, "INVALID_PATTERN", transferIDPattern())
	if err := f.check(); err != nil {
		return nil, err
	}
	var t transferDoc
	ok, err := r.Tx.Get(transferTable, id, &t)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if !ok || (r.Caller.Account != t.Source.AccountID && r.Caller.Account != t.Target.AccountID) {
		return nil, awsErr("ResponsibilityTransferNotFoundException", "We can't find a transfer with the Id %s.", id)
	}
	if err := r.Authorize(ctx, service.Authz{Resource: transferView(&t, r.Caller.Account, r.Now).Arn}); err != nil {
		return nil, err
	}
	return &t, nil
}

func (s *Service) describeResponsibilityTransfer(ctx context.Context, r *service.Request) (any, error) {
	var in transferIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	t, err := s.transfer(ctx, r, &in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ResponsibilityTransfer": transferView(t, r.Caller.Account, r.Now)}, nil
}

func (s *Service) updateResponsibilityTransfer(ctx context.Context, r *service.Request) (any, error) {
	var in transferIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	name := f.required("Name", in.Name)
	f.length("Name", name, 1, 128)
	f.pattern("Name", name, "INVALID_PATTERN", accountNamePattern())
	if err := f.check(); err != nil {
		return nil, err
	}
	t, err := s.transfer(ctx, r, &in)
	if err != nil {
		return nil, err
	}
	t.Name = name
	if err := putTransfer(r.Tx, t); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"ResponsibilityTransfer": transferView(t, r.Caller.Account, r.Now)}, nil
}

// terminateResponsibilityTransfer ends an ACCEPTED transfer at the end of
// a month (the current one when EndTimestamp is absent); the transfer is
// WITHDRAWN.
func (s *Service) terminateResponsibilityTransfer(ctx context.Context, r *service.Request) (any, error) {
	var in transferIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	t, err := s.transfer(ctx, r, &in)
	if err != nil {
		return nil, err
	}
	if st := t.status(r.Now); st != "ACCEPTED" {
		return nil, awsErr("InvalidResponsibilityTransferTransitionException", "You can't terminate a transfer that is %s.", st)
	}
	end := monthStart(r.Now).AddDate(0, 1, 0).Add(-time.Millisecond)
	if in.EndTimestamp != nil {
		end = time.Time(*in.EndTimestamp).UTC()
		next := end.Add(time.Millisecond)
		switch {
		case !next.Equal(monthStart(next)) && !end.Equal(monthStart(end)):
			return nil, invalid("END_DATE_NOT_END_OF_MONTH", "EndTimestamp must be the end of a month.")
		case end.Before(r.Now) || !end.After(t.Start):
			return nil, invalid("END_DATE_TOO_EARLY", "EndTimestamp must be after both now and the transfer's start.")
		}
	}
	t.End, t.Status = end, "WITHDRAWN"
	if err := putTransfer(r.Tx, t); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"ResponsibilityTransfer": transferView(t, r.Caller.Account, r.Now)}, nil
}

func (s *Service) listInboundResponsibilityTransfers(ctx context.Context, r *service.Request) (any, error) {
	return s.listTransfers(ctx, r, transferInbound)
}

func (s *Service) listOutboundResponsibilityTransfers(ctx context.Context, r *service.Request) (any, error) {
	return s.listTransfers(ctx, r, transferOutbound)
}

func (s *Service) listTransfers(ctx context.Context, r *service.Request, index string) (any, error) {
	var in transferIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	f.enum("Type", in.Type, "BILLING")
	if in.Id != nil {
		f.pattern("Id", *in.Id, "INVALID_PATTERN", transferIDPattern())
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, true)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	prefix := c.org.MgmtAccountID + "/"
	p, err := newPage(r.Action, in.pageIn, prefix)
	if err != nil {
		return nil, err
	}
	items, next, err := scanPage(p, r.Tx, index, prefix, func(k string, _ store.Doc) (transferOut, bool, error) {
		var t transferDoc
		ok, err := r.Tx.Get(transferTable, k[len(prefix):], &t)
		if err != nil || !ok || t.Type != in.Type || (in.Id != nil && t.ID != *in.Id) {
			return transferOut{}, false, err
		}
		return transferView(&t, c.org.MgmtAccountID, r.Now), true, nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("ResponsibilityTransfers", items, next), nil
}
