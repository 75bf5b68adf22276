package organizations

import (
	"context"
	"slices"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// fullAccess maps the policy types whose enabling attaches an AWS-managed
// allow-all policy everywhere to that policy
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html,
// .../orgs_manage_policies_rcps.html).
var fullAccess = map[string]policyDoc{
	"SERVICE_CONTROL_POLICY": {
		ID: "p-FullAWSAccess", Name: "FullAWSAccess", Type: "SERVICE_CONTROL_POLICY", AWSManaged: true,
		Description: "Allows access to every operation",
		Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	},
	"RESOURCE_CONTROL_POLICY": {
		ID: "p-RCPFullAWSAccess", Name: "RCPFullAWSAccess", Type: "RESOURCE_CONTROL_POLICY", AWSManaged: true,
		Description: "Allows access to every operation",
		Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`,
	},
}

type createOrganizationIn struct {
	FeatureSet string
}

func (s *Service) createOrganization(ctx context.Context, r *service.Request) (any, error) {
	var in createOrganizationIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.FeatureSet == "" {
		in.FeatureSet = "ALL"
	}
	var f field
	f.enum("FeatureSet", in.FeatureSet, "ALL", "CONSOLIDATED_BILLING")
	if err := f.check(); err != nil {
		return nil, err
	}
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	existing, err := loadOrg(r.Tx, r.Caller.Account)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if existing != nil {
		return nil, awsErr("AlreadyInOrganizationException", "The provided account is already a member of an organization.")
	}
	g := ids{s.rand}
	orgID, err := g.org()
	if err != nil {
		return nil, err
	}
	rootID, err := g.root()
	if err != nil {
		return nil, err
	}
	var acct service.Account
	if _, err := r.Tx.Get(service.AccountTable, r.Caller.Account, &acct); err != nil {
		return nil, storeErr(r.Action, err)
	}
	o := &orgDoc{ID: orgID, FeatureSet: in.FeatureSet, MgmtAccountID: r.Caller.Account, MgmtEmail: acct.Email, RootID: rootID, Created: r.Now}
	mgmt := &accountDoc{ID: r.Caller.Account, Name: acct.Name, Email: acct.Email, ParentID: rootID, JoinedMethod: "INVITED", Joined: r.Now, Status: "ACTIVE"}
	if mgmt.Name == "" {
		mgmt.Name = "management"
	}
	err = firstErr(
		func() error { return r.Tx.Put(orgTable, orgID, o) },
		func() error { return r.Tx.Put(memberTable, mgmt.ID, memberDoc{OrgID: orgID}) },
		func() error { return r.Tx.Put(accountTable, key(orgID, mgmt.ID), mgmt) },
		func() error {
			return r.Tx.Put(childTable, key(orgID, rootID, "ACCOUNT", mgmt.ID), childDoc{ID: mgmt.ID, Type: "ACCOUNT"})
		},
	)
	if err == nil && mgmt.Email != "" {
		err = r.Tx.Put(emailTable, lower(mgmt.Email), mgmt.ID)
	}
	for _, p := range fullAccess {
		if err == nil {
			err = r.Tx.Put(policyTable, key(orgID, p.ID), p)
		}
	}
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"Organization": organizationView(o)}, nil
}

func firstErr(fns ...func() error) error {
	for _, fn := range fns {
		if err := fn(); err != nil {
			return err
		}
	}
	return nil
}

func organizationView(o *orgDoc) organizationOut {
	return organizationOut{
		Id: o.ID, Arn: o.arn(), FeatureSet: o.FeatureSet,
		MasterAccountArn:     o.accountARN(o.MgmtAccountID),
		MasterAccountId:      o.MgmtAccountID,
		MasterAccountEmail:   o.MgmtEmail,
		AvailablePolicyTypes: policyTypeSummaries(o.PolicyTypes),
	}
}

func (s *Service) describeOrganization(ctx context.Context, r *service.Request) (any, error) {
	c, err := enter(r, anyMember, true)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	return map[string]any{"Organization": organizationView(c.org)}, nil
}

// deleteOrganization removes an organization that has no member accounts
// left (OrganizationNotEmptyException otherwise); its OUs, policies,
// attachments and tags go with it.
func (s *Service) deleteOrganization(ctx context.Context, r *service.Request) (any, error) {
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	n, err := r.Tx.Count(accountTable, c.org.ID+"/")
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if n > 1 {
		return nil, awsErr("OrganizationNotEmptyException", "The organization isn't empty. To delete an organization, you must first remove all member accounts.")
	}
	for _, t := range []string{accountTable, ouTable, ouNameTable, childTable, policyTable, attachTable, targetTable, carTable, tagTable, delegatedTable, serviceAccessTable} {
		if err := deletePrefix(r.Tx, t, c.org.ID+"/"); err != nil {
			return nil, storeErr(r.Action, err)
		}
	}
	if err := deleteHandshakes(r.Tx, c.org.ID); err != nil {
		return nil, storeErr(r.Action, err)
	}
	// The management account's email stays in emailTable: the account
	// lives on, and no other account may take its address.
	err = firstErr(
		func() error { _, err := r.Tx.Delete(memberTable, c.org.MgmtAccountID); return err },
		func() error { _, err := r.Tx.Delete(orgTable, c.org.ID); return err },
	)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, nil
}

func deletePrefix(tx store.Tx, table, prefix string) error {
	var keys []string
	if err := tx.Scan(table, prefix, "", func(k string, _ store.Doc) (bool, error) {
		keys = append(keys, k)
		return true, nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := tx.Delete(table, k); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) listRoots(ctx context.Context, r *service.Request) (any, error) {
	var in pageIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, true)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.rootARN()); err != nil {
		return nil, err
	}
	p, err := newPage(r.Action, in, "")
	if err != nil {
		return nil, err
	}
	roots, next := pageSlice(p, []rootOut{c.rootView()}, func(x rootOut) string { return x.Id })
	return listOut("Roots", roots, next), nil
}

func (c *orgCall) rootView() rootOut {
	return rootOut{Id: c.org.RootID, Arn: c.org.rootARN(), Name: "Root", PolicyTypes: policyTypeSummaries(c.org.PolicyTypes)}
}

type policyTypeIn struct {
	RootId     *string
	PolicyType string
}

func (s *Service) enablePolicyType(ctx context.Context, r *service.Request) (any, error) {
	return s.setPolicyType(ctx, r, true)
}

func (s *Service) disablePolicyType(ctx context.Context, r *service.Request) (any, error) {
	return s.setPolicyType(ctx, r, false)
}

// setPolicyType enables or disables a policy type on the root. Enabling
// SCPs (RCPs) attaches FullAWSAccess (RCPFullAWSAccess) to the root and
// every OU and account; disabling a type detaches every policy of that
// type from every target, as the EnablePolicyType and DisablePolicyType
// API references describe.
func (s *Service) setPolicyType(ctx context.Context, r *service.Request, enable bool) (any, error) {
	var in policyTypeIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	rootID := f.id("RootId", in.RootId, "INVALID_PATTERN", rootIDPattern())
	f.policyType("PolicyType", in.PolicyType)
	if err := f.check(); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, err
	}
	if rootID != c.org.RootID {
		return nil, errRootNotFound(rootID)
	}
	if err := c.authorize(ctx, c.org.rootARN()); err != nil {
		return nil, err
	}
	if c.org.FeatureSet != "ALL" {
		return nil, awsErr("PolicyTypeNotAvailableForOrganizationException", "You can't use policies of type %s in an organization with only consolidated billing features.", in.PolicyType)
	}
	enabled := c.org.typeEnabled(in.PolicyType)
	switch {
	case enable && enabled:
		return nil, awsErr("PolicyTypeAlreadyEnabledException", "The specified policy type %s is already enabled.", in.PolicyType)
	case !enable && !enabled:
		return nil, awsErr("PolicyTypeNotEnabledException", "The specified policy type %s isn't enabled for the root.", in.PolicyType)
	}
	if enable {
		c.org.PolicyTypes = append(c.org.PolicyTypes, in.PolicyType)
		slices.Sort(c.org.PolicyTypes)
		if p, ok := fullAccess[in.PolicyType]; ok {
			if err := c.attachEverywhere(&p); err != nil {
				return nil, storeErr(r.Action, err)
			}
		}
	} else {
		c.org.PolicyTypes = slices.DeleteFunc(c.org.PolicyTypes, func(t string) bool { return t == in.PolicyType })
		if err := c.detachType(in.PolicyType); err != nil {
			return nil, storeErr(r.Action, err)
		}
	}
	if err := r.Tx.Put(orgTable, c.org.ID, c.org); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"Root": c.rootView()}, nil
}

// attachEverywhere attaches p to the root, every OU and every account
// (pending ones included, so they have it the moment they appear).
func (c *orgCall) attachEverywhere(p *policyDoc) error {
	targets := []string{c.org.RootID}
	for _, t := range []string{ouTable, accountTable} {
		if err := c.tx.Scan(t, c.org.ID+"/", "", func(k string, _ store.Doc) (bool, error) {
			targets = append(targets, k[len(c.org.ID)+1:])
			return true, nil
		}); err != nil {
			return err
		}
	}
	for _, t := range targets {
		if err := c.attach(t, p); err != nil {
			return err
		}
	}
	return nil
}

// detachType removes every attachment of policies of type t.
func (c *orgCall) detachType(t string) error {
	var del []attachDoc
	if err := c.tx.Scan(attachTable, c.org.ID+"/", "", func(_ string, d store.Doc) (bool, error) {
		var a attachDoc
		if err := d.Decode(&a); err != nil {
			return false, err
		}
		if a.PolicyType == t {
			del = append(del, a)
		}
		return true, nil
	}); err != nil {
		return err
	}
	for _, a := range del {
		if err := c.detach(a.TargetID, a.PolicyID); err != nil {
			return err
		}
	}
	return nil
}

func (c *orgCall) attach(targetID string, p *policyDoc) error {
	a := attachDoc{PolicyID: p.ID, PolicyType: p.Type, TargetID: targetID, Attached: c.r.Now}
	if err := c.tx.Put(attachTable, key(c.org.ID, targetID, p.ID), a); err != nil {
		return err
	}
	return c.tx.Put(targetTable, key(c.org.ID, p.ID, targetID), a)
}

func (c *orgCall) detach(targetID, policyID string) error {
	if _, err := c.tx.Delete(attachTable, key(c.org.ID, targetID, policyID)); err != nil {
		return err
	}
	_, err := c.tx.Delete(targetTable, key(c.org.ID, policyID, targetID))
	return err
}

// onNewTarget attaches the full-access policies of the enabled types to
// a new OU or account.
func (c *orgCall) onNewTarget(targetID string) error {
	for t, p := range fullAccess {
		if c.org.typeEnabled(t) {
			if err := c.attach(targetID, &p); err != nil {
				return err
			}
		}
	}
	return nil
}
