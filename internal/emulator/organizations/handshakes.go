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

// Handshakes: invitations of existing accounts
// (API_InviteAccountToOrganization.html) and the enable-all-features
// flow (API_EnableAllFeatures.html). An invitation is OPEN until the
// invited account accepts or declines it, the management account cancels
// it, or it EXPIRES after handshakeLifetime.

const handshakeLifetime = 15 * 24 * time.Hour

var handshakeIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^h-[0-9a-z]{8,32}$`) })

const (
	// handshakeTable: <handshake id> → handshakeDoc (global: the invited
	// account is not in the organization).
	handshakeTable = "org.handshake"
	// handshakeByAccount: <account id>/<handshake id> → "" (the
	// invited side, for ListHandshakesForAccount).
	handshakeByAccount = "org.handshake-account"
	// handshakeByOrg: <org id>/<handshake id> → "".
	handshakeByOrg = "org.handshake-org"
)

type handshakeDoc struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"orgId"`
	MgmtID    string    `json:"mgmtId"`
	MgmtEmail string    `json:"mgmtEmail"`
	Action    string    `json:"action"` // INVITE, ENABLE_ALL_FEATURES, APPROVE_ALL_FEATURES
	State     string    `json:"state"`
	Requested time.Time `json:"requested"`
	Expires   time.Time `json:"expires"`
	// TargetAccount is the invited (or approving) account.
	TargetAccount string `json:"targetAccount,omitempty"`
	// TargetType and TargetID are the party as the request named it
	// (ACCOUNT id or EMAIL address).
	TargetType string `json:"targetType,omitempty"`
	TargetID   string `json:"targetId,omitempty"`
	Notes      string `json:"notes,omitempty"`
	FeatureSet string `json:"featureSet"`
	ParentID   string `json:"parentId,omitempty"`
	// TransferID is the responsibility transfer a
	// TRANSFER_RESPONSIBILITY handshake offers.
	TransferID string `json:"transferId,omitempty"`
	// Tags go on the invited account when it joins.
	Tags []tagDoc `json:"tags,omitempty"`
}

func (h *handshakeDoc) state(now time.Time) string {
	if (h.State == "OPEN" || h.State == "REQUESTED") && !now.Before(h.Expires) {
		return "EXPIRED"
	}
	return h.State
}

type handshakePartyOut struct {
	Id   string
	Type string
}

type handshakeResourceOut struct {
	Type      string
	Value     string
	Resources []handshakeResourceOut `json:",omitempty"`
}

type handshakeOut struct {
	Id                  string
	Arn                 string
	Action              string
	State               string
	RequestedTimestamp  service.Time
	ExpirationTimestamp service.Time
	Parties             []handshakePartyOut
	Resources           []handshakeResourceOut
}

func handshakeView(h *handshakeDoc, now time.Time) handshakeOut {
	out := handshakeOut{
		Id: h.ID, Action: h.Action, State: h.state(now),
		Arn:                fmt.Sprintf("arn:aws:organizations::%s:handshake/%s/%s/%s", h.MgmtID, h.OrgID, strings.ToLower(h.Action), h.ID),
		RequestedTimestamp: service.Time(h.Requested), ExpirationTimestamp: service.Time(h.Expires),
		Parties: []handshakePartyOut{{Id: strings.TrimPrefix(h.OrgID, "o-"), Type: "ORGANIZATION"}},
	}
	if h.TargetID != "" {
		out.Parties = append(out.Parties, handshakePartyOut{Id: h.TargetID, Type: h.TargetType})
	}
	switch h.Action {
	case "INVITE":
		out.Resources = []handshakeResourceOut{
			{Type: "ORGANIZATION", Value: h.OrgID, Resources: []handshakeResourceOut{
				{Type: "MASTER_EMAIL", Value: h.MgmtEmail},
				{Type: "MASTER_NAME", Value: h.MgmtID},
				{Type: "ORGANIZATION_FEATURE_SET", Value: h.FeatureSet},
			}},
			{Type: h.TargetType, Value: h.TargetID},
		}
		if h.Notes != "" {
			out.Resources = append(out.Resources, handshakeResourceOut{Type: "NOTES", Value: h.Notes})
		}
	case "TRANSFER_RESPONSIBILITY":
		out.Resources = []handshakeResourceOut{
			{Type: "RESPONSIBILITY_TRANSFER", Value: h.TransferID},
			{Type: "MANAGEMENT_ACCOUNT", Value: h.MgmtID},
			{Type: "MANAGEMENT_EMAIL", Value: h.MgmtEmail},
			{Type: "TRANSFER_TYPE", Value: "BILLING"},
		}
	default:
		out.Resources = []handshakeResourceOut{{Type: "ORGANIZATION", Value: h.OrgID}}
		if h.ParentID != "" {
			out.Resources = append(out.Resources, handshakeResourceOut{Type: "PARENT_HANDSHAKE", Value: h.ParentID})
		}
	}
	return out
}

func putHandshake(tx store.Tx, h *handshakeDoc) error {
	return firstErr(
		func() error { return tx.Put(handshakeTable, h.ID, h) },
		func() error { return tx.Put(handshakeByOrg, key(h.OrgID, h.ID), "") },
		func() error {
			if h.TargetAccount == "" {
				return nil
			}
			return tx.Put(handshakeByAccount, key(h.TargetAccount, h.ID), "")
		},
	)
}

func (s *Service) newHandshake(now time.Time, o *orgDoc, action string) (*handshakeDoc, error) {
	id, err := ids{s.rand}.str(lowerAlnum, 32)
	if err != nil {
		return nil, err
	}
	return &handshakeDoc{ID: "h-" + id, OrgID: o.ID, MgmtID: o.MgmtAccountID, MgmtEmail: o.MgmtEmail, Action: action, State: "OPEN",
		Requested: now, Expires: now.Add(handshakeLifetime), FeatureSet: o.FeatureSet}, nil
}

type handshakeIn struct {
	HandshakeId *string
	Filter      *struct {
		ActionType        string
		ParentHandshakeId *string
	}
	pageIn
}

// handshake loads a handshake the caller is a party to; any other gets
// HandshakeNotFoundException, as AWS does not reveal other parties'
// handshakes.
func (s *Service) handshake(r *service.Request) (*handshakeDoc, bool, error) {
	var in handshakeIn
	if err := r.Decode(&in); err != nil {
		return nil, false, err
	}
	var f field
	id := f.id("HandshakeId", in.HandshakeId, "INVALID_PATTERN", handshakeIDPattern())
	if err := f.check(); err != nil {
		return nil, false, err
	}
	var h handshakeDoc
	ok, err := r.Tx.Get(handshakeTable, id, &h)
	if err != nil {
		return nil, false, storeErr(r.Action, err)
	}
	notFound := awsErr("HandshakeNotFoundException", "We can't find a handshake with the HandshakeId %s.", id)
	if !ok {
		return nil, false, notFound
	}
	mgmt := r.Caller.Account == h.MgmtID
	if !mgmt && r.Caller.Account != h.TargetAccount && !s.ownsEmail(r, &h) {
		return nil, false, notFound
	}
	return &h, mgmt, nil
}

// ownsEmail reports whether an invitation by email names the caller's
// account email (the invited account learns its id only on acceptance).
func (s *Service) ownsEmail(r *service.Request, h *handshakeDoc) bool {
	if h.TargetType != "EMAIL" || h.TargetAccount != "" {
		return false
	}
	var a service.Account
	ok, err := r.Tx.Get(service.AccountTable, r.Caller.Account, &a)
	return err == nil && ok && strings.EqualFold(a.Email, h.TargetID)
}

func (s *Service) describeHandshake(ctx context.Context, r *service.Request) (any, error) {
	h, _, err := s.handshake(r)
	if err != nil {
		return nil, err
	}
	if err := r.Authorize(ctx, service.Authz{Resource: handshakeView(h, r.Now).Arn, ResourceAccount: h.MgmtID}); err != nil {
		return nil, err
	}
	return map[string]any{"Handshake": handshakeView(h, r.Now)}, nil
}

// transition moves an OPEN handshake to state, refusing other states
// with AWS's errors.
func transition(r *service.Request, h *handshakeDoc, state string) error {
	cur := h.state(r.Now)
	if cur == state {
		return awsErr("HandshakeAlreadyInStateException", "The handshake is already %s.", state)
	}
	if cur != "OPEN" && cur != "REQUESTED" {
		return awsErr("InvalidHandshakeTransitionException", "You can't change a handshake that is %s.", cur)
	}
	h.State = state
	return nil
}

func (s *Service) acceptHandshake(ctx context.Context, r *service.Request) (any, error) {
	h, mgmt, err := s.handshake(r)
	if err != nil {
		return nil, err
	}
	if err := r.Authorize(ctx, service.Authz{Resource: handshakeView(h, r.Now).Arn, ResourceAccount: h.MgmtID}); err != nil {
		return nil, err
	}
	switch {
	case h.Action == "ENABLE_ALL_FEATURES" && mgmt:
		return s.finishEnableAllFeatures(r, h)
	case h.Action == "ENABLE_ALL_FEATURES" || (mgmt && r.Caller.Account != h.TargetAccount):
		return nil, errAccessDenied()
	}
	if err := transition(r, h, "ACCEPTED"); err != nil {
		return nil, err
	}
	switch h.Action {
	case "INVITE":
		if err := s.join(r, h); err != nil {
			return nil, err
		}
	case "TRANSFER_RESPONSIBILITY":
		if err := settleTransfer(r, h); err != nil {
			return nil, storeErr(r.Action, err)
		}
	}
	h.TargetAccount = r.Caller.Account
	if err := putHandshake(r.Tx, h); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"Handshake": handshakeView(h, r.Now)}, nil
}

// join adds the accepting account to the inviting organization.
func (s *Service) join(r *service.Request, h *handshakeDoc) error {
	other, err := loadOrg(r.Tx, r.Caller.Account)
	if err != nil {
		return storeErr(r.Action, err)
	}
	if other != nil {
		return withReason("HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION", "Your account is already a member of an organization.")
	}
	var o orgDoc
	ok, err := r.Tx.Get(orgTable, h.OrgID, &o)
	if err != nil {
		return storeErr(r.Action, err)
	}
	if !ok {
		return awsErr("HandshakeNotFoundException", "The inviting organization no longer exists.")
	}
	var pub service.Account
	if _, err := r.Tx.Get(service.AccountTable, r.Caller.Account, &pub); err != nil {
		return storeErr(r.Action, err)
	}
	a := &accountDoc{ID: r.Caller.Account, Name: pub.Name, Email: pub.Email, ParentID: o.RootID, JoinedMethod: "INVITED", Joined: r.Now, Status: "ACTIVE"}
	c := &orgCall{r: r, tx: r.Tx, org: &o}
	err = firstErr(
		func() error { return r.Tx.Put(accountTable, key(o.ID, a.ID), a) },
		func() error { return r.Tx.Put(memberTable, a.ID, memberDoc{OrgID: o.ID}) },
		func() error {
			return r.Tx.Put(childTable, key(o.ID, o.RootID, "ACCOUNT", a.ID), childDoc{ID: a.ID, Type: "ACCOUNT"})
		},
		func() error {
			if a.Email == "" {
				return nil
			}
			return r.Tx.Put(emailTable, lower(a.Email), a.ID)
		},
		func() error { return c.onNewTarget(a.ID) },
		func() error {
			if len(h.Tags) == 0 {
				return nil
			}
			return r.Tx.Put(tagTable, key(o.ID, a.ID), tagsDoc{Tags: h.Tags})
		},
	)
	if err != nil {
		return storeErr(r.Action, err)
	}
	return nil
}

func (s *Service) declineHandshake(ctx context.Context, r *service.Request) (any, error) {
	return s.closeHandshake(ctx, r, "DECLINED", false)
}

func (s *Service) cancelHandshake(ctx context.Context, r *service.Request) (any, error) {
	return s.closeHandshake(ctx, r, "CANCELED", true)
}

// closeHandshake declines (the invited side) or cancels (the
// management account) a handshake.
func (s *Service) closeHandshake(ctx context.Context, r *service.Request, state string, byMgmt bool) (any, error) {
	h, mgmt, err := s.handshake(r)
	if err != nil {
		return nil, err
	}
	if err := r.Authorize(ctx, service.Authz{Resource: handshakeView(h, r.Now).Arn, ResourceAccount: h.MgmtID}); err != nil {
		return nil, err
	}
	if mgmt != byMgmt {
		return nil, errAccessDenied()
	}
	if err := transition(r, h, state); err != nil {
		return nil, err
	}
	if h.Action == "TRANSFER_RESPONSIBILITY" {
		if err := settleTransfer(r, h); err != nil {
			return nil, storeErr(r.Action, err)
		}
	}
	if err := putHandshake(r.Tx, h); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"Handshake": handshakeView(h, r.Now)}, nil
}

func (s *Service) listHandshakesForAccount(ctx context.Context, r *service.Request) (any, error) {
	var in handshakeIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	prefix := r.Caller.Account + "/"
	return s.listHandshakes(r, &in, handshakeByAccount, prefix)
}

func (s *Service) listHandshakesForOrganization(ctx context.Context, r *service.Request) (any, error) {
	var in handshakeIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, true)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	return s.listHandshakes(r, &in, handshakeByOrg, c.org.ID+"/")
}

func (s *Service) listHandshakes(r *service.Request, in *handshakeIn, index, prefix string) (any, error) {
	var f field
	if in.Filter != nil && in.Filter.ActionType != "" {
		f.enum("Filter.ActionType", in.Filter.ActionType, "INVITE", "ENABLE_ALL_FEATURES", "APPROVE_ALL_FEATURES", "ADD_ORGANIZATIONS_SERVICE_LINKED_ROLE", "TRANSFER_RESPONSIBILITY")
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	p, err := newPage(r.Action, in.pageIn, prefix)
	if err != nil {
		return nil, err
	}
	items, next, err := scanPage(p, r.Tx, index, prefix, func(k string, _ store.Doc) (handshakeOut, bool, error) {
		var h handshakeDoc
		ok, err := r.Tx.Get(handshakeTable, k[len(prefix):], &h)
		if err != nil || !ok {
			return handshakeOut{}, false, err
		}
		if in.Filter != nil {
			if in.Filter.ActionType != "" && h.Action != in.Filter.ActionType {
				return handshakeOut{}, false, nil
			}
			if in.Filter.ParentHandshakeId != nil && h.ParentID != *in.Filter.ParentHandshakeId {
				return handshakeOut{}, false, nil
			}
		}
		return handshakeView(&h, r.Now), true, nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("Handshakes", items, next), nil
}

// deleteHandshakes removes an organization's handshakes with their
// indexes (DeleteOrganization).
func deleteHandshakes(tx store.Tx, orgID string) error {
	var hs []handshakeDoc
	if err := tx.Scan(handshakeByOrg, orgID+"/", "", func(k string, _ store.Doc) (bool, error) {
		var h handshakeDoc
		ok, err := tx.Get(handshakeTable, k[len(orgID)+1:], &h)
		if ok {
			hs = append(hs, h)
		}
		return err == nil, err
	}); err != nil {
		return err
	}
	for _, h := range hs {
		err := firstErr(
			func() error { _, err := tx.Delete(handshakeTable, h.ID); return err },
			func() error { _, err := tx.Delete(handshakeByOrg, key(orgID, h.ID)); return err },
			func() error {
				if h.TargetAccount == "" {
					return nil
				}
				_, err := tx.Delete(handshakeByAccount, key(h.TargetAccount, h.ID))
				return err
			},
		)
		if err != nil {
			return err
		}
	}
	return nil
}
