package organizations

import (
	"context"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Trusted service access and delegated administrators
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html).

type delegationIn struct {
	AccountId        *string
	ServicePrincipal *string
	pageIn
}

// principal validates a service principal. AWS checks it against the
// services that integrate with Organizations; the local AWS accepts any
// *.amazonaws.com principal.
func (f *field) principal(v *string) string {
	p := f.required("ServicePrincipal", v)
	if v == nil {
		return ""
	}
	f.length("ServicePrincipal", p, 1, 128)
	f.pattern("ServicePrincipal", p, "INVALID_PATTERN", principalPattern())
	if f.err == nil && !strings.HasSuffix(p, ".amazonaws.com") {
		f.fail(invalid("UNRECOGNIZED_SERVICE_PRINCIPAL", "%q is not a service principal that integrates with AWS Organizations (such as \"sso.amazonaws.com\").", p))
	}
	return p
}

func (s *Service) enableAWSServiceAccess(ctx context.Context, r *service.Request) (any, error) {
	return s.setServiceAccess(ctx, r, true)
}

func (s *Service) disableAWSServiceAccess(ctx context.Context, r *service.Request) (any, error) {
	return s.setServiceAccess(ctx, r, false)
}

func (s *Service) setServiceAccess(ctx context.Context, r *service.Request, enable bool) (any, error) {
	var in delegationIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	sp := f.principal(in.ServicePrincipal)
	if err := f.check(); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	if c.org.FeatureSet != "ALL" {
		return nil, constraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", "Trusted access needs an organization with all features enabled.")
	}
	k := key(c.org.ID, sp)
	if enable {
		var existing serviceAccessDoc
		ok, err := r.Tx.Get(serviceAccessTable, k, &existing)
		if err == nil && !ok {
			err = r.Tx.Put(serviceAccessTable, k, serviceAccessDoc{ServicePrincipal: sp, Enabled: r.Now})
		}
		if err != nil {
			return nil, storeErr(r.Action, err)
		}
		return nil, nil
	}
	if _, err := r.Tx.Delete(serviceAccessTable, k); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, nil
}

func (s *Service) listAWSServiceAccessForOrganization(ctx context.Context, r *service.Request) (any, error) {
	var in pageIn
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
	prefix := c.org.ID + "/"
	p, err := newPage(r.Action, in, prefix)
	if err != nil {
		return nil, err
	}
	items, next, err := scanPage(p, r.Tx, serviceAccessTable, prefix, func(_ string, d store.Doc) (enabledServicePrincipalOut, bool, error) {
		var sa serviceAccessDoc
		err := d.Decode(&sa)
		return enabledServicePrincipalOut{ServicePrincipal: sa.ServicePrincipal, DateEnabled: service.Time(sa.Enabled)}, err == nil, err
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("EnabledServicePrincipals", items, next), nil
}

// delegationRequest resolves AccountId and ServicePrincipal.
func (s *Service) delegationRequest(ctx context.Context, r *service.Request) (*orgCall, *accountDoc, string, error) {
	var in delegationIn
	if err := r.Decode(&in); err != nil {
		return nil, nil, "", err
	}
	var f field
	id := f.accountID("AccountId", in.AccountId)
	sp := f.principal(in.ServicePrincipal)
	if err := f.check(); err != nil {
		return nil, nil, "", err
	}
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, nil, "", err
	}
	a, err := c.account(id)
	if err != nil {
		return nil, nil, "", storeErr(r.Action, err)
	}
	if a == nil {
		return nil, nil, "", errAccountNotFound(id)
	}
	if err := c.authorize(ctx, c.org.accountARN(id)); err != nil {
		return nil, nil, "", err
	}
	return c, a, sp, nil
}

func (s *Service) registerDelegatedAdministrator(ctx context.Context, r *service.Request) (any, error) {
	c, a, sp, err := s.delegationRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	if a.ID == c.org.MgmtAccountID {
		return nil, constraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", "You can't register the management account as a delegated administrator.")
	}
	if a.Status != "ACTIVE" {
		return nil, constraint("CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR", "Account %s is closed.", a.ID)
	}
	var sa serviceAccessDoc
	ok, err := r.Tx.Get(serviceAccessTable, key(c.org.ID, sp), &sa)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if !ok {
		return nil, constraint("SERVICE_ACCESS_NOT_ENABLED", "Trusted access for %s isn't enabled; call EnableAWSServiceAccess first.", sp)
	}
	err = r.Tx.Insert(delegatedTable, key(c.org.ID, a.ID, sp), delegatedDoc{AccountID: a.ID, ServicePrincipal: sp, Enabled: r.Now})
	if err == store.ErrExists {
		return nil, awsErr("AccountAlreadyRegisteredException", "Account %s is already a delegated administrator for %s.", a.ID, sp)
	}
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, nil
}

func (s *Service) deregisterDelegatedAdministrator(ctx context.Context, r *service.Request) (any, error) {
	c, a, sp, err := s.delegationRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	ok, err := r.Tx.Delete(delegatedTable, key(c.org.ID, a.ID, sp))
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if !ok {
		return nil, awsErr("AccountNotRegisteredException", "Account %s isn't a delegated administrator for %s.", a.ID, sp)
	}
	return nil, nil
}

func (s *Service) listDelegatedAdministrators(ctx context.Context, r *service.Request) (any, error) {
	var in delegationIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	if in.ServicePrincipal != nil {
		f.principal(in.ServicePrincipal)
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
	prefix := c.org.ID + "/"
	p, err := newPage(r.Action, in.pageIn, prefix)
	if err != nil {
		return nil, err
	}
	// Keys are <org>/<account>/<principal>: an account is listed once, at
	// its first matching key, so pages never repeat it.
	items, next, err := scanPage(p, r.Tx, delegatedTable, prefix, func(k string, d store.Doc) (delegatedAdministratorOut, bool, error) {
		var dd delegatedDoc
		if err := d.Decode(&dd); err != nil {
			return delegatedAdministratorOut{}, false, err
		}
		if in.ServicePrincipal != nil {
			if dd.ServicePrincipal != *in.ServicePrincipal {
				return delegatedAdministratorOut{}, false, nil
			}
		} else {
			first := ""
			if err := r.Tx.Scan(delegatedTable, key(c.org.ID, dd.AccountID)+"/", "", func(fk string, _ store.Doc) (bool, error) {
				first = fk
				return false, nil
			}); err != nil {
				return delegatedAdministratorOut{}, false, err
			}
			if first != k {
				return delegatedAdministratorOut{}, false, nil
			}
		}
		a, err := c.account(dd.AccountID)
		if err != nil || a == nil {
			return delegatedAdministratorOut{}, false, err
		}
		return delegatedAdministratorOut{
			Id: a.ID, Arn: c.org.accountARN(a.ID), Email: a.Email, Name: a.Name,
			Status: a.statusAt(c.r.Now), State: a.statusAt(c.r.Now), JoinedMethod: a.JoinedMethod,
			JoinedTimestamp: service.Time(a.Joined), DelegationEnabledDate: service.Time(dd.Enabled),
		}, true, nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("DelegatedAdministrators", items, next), nil
}

func (s *Service) listDelegatedServicesForAccount(ctx context.Context, r *service.Request) (any, error) {
	var in delegationIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	id := f.accountID("AccountId", in.AccountId)
	if err := f.check(); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, true)
	if err != nil {
		return nil, err
	}
	a, err := c.account(id)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if a == nil {
		return nil, errAccountNotFound(id)
	}
	if err := c.authorize(ctx, c.org.accountARN(id)); err != nil {
		return nil, err
	}
	prefix := key(c.org.ID, id) + "/"
	n, err := r.Tx.Count(delegatedTable, prefix)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if n == 0 {
		return nil, awsErr("AccountNotRegisteredException", "Account %s isn't a delegated administrator.", id)
	}
	p, err := newPage(r.Action, in.pageIn, prefix)
	if err != nil {
		return nil, err
	}
	items, next, err := scanPage(p, r.Tx, delegatedTable, prefix, func(_ string, d store.Doc) (delegatedServiceOut, bool, error) {
		var dd delegatedDoc
		err := d.Decode(&dd)
		return delegatedServiceOut{ServicePrincipal: dd.ServicePrincipal, DelegationEnabledDate: service.Time(dd.Enabled)}, err == nil, err
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("DelegatedServices", items, next), nil
}
