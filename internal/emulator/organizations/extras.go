package organizations

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// createGovCloudAccount validates like CreateAccount and then refuses as
// AWS does for a management account without an AWS GovCloud (US) account
// (API_CreateGovCloudAccount.html): the local AWS has no GovCloud
// partition.
func (s *Service) createGovCloudAccount(ctx context.Context, r *service.Request) (any, error) {
	var in createAccountIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	email := f.required("Email", in.Email)
	f.length("Email", email, 6, 64)
	f.pattern("Email", email, "INVALID_PATTERN", emailPattern())
	name := f.required("AccountName", in.AccountName)
	f.length("AccountName", name, 1, 50)
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
	return nil, constraint("MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED", "The management account isn't enabled for AWS GovCloud (US); the local AWS has no GovCloud partition.")
}

type effectiveListIn struct {
	PolicyType string
	AccountId  *string
	pageIn
}

func (f *field) effectiveType(v string) {
	if v == "" {
		f.fail(invalid("INPUT_REQUIRED", "You must specify a value for PolicyType."))
	} else if pt, ok := policyTypes[v]; !ok || !pt.effective {
		f.fail(invalid("INVALID_ENUM_POLICY_TYPE", "PolicyType %q has no effective policy.", v))
	}
}

// listAccountsWithInvalidEffectivePolicy: the local AWS does not validate
// effective policies against each service's schema, so no account is ever
// listed (API_ListAccountsWithInvalidEffectivePolicy.html).
func (s *Service) listAccountsWithInvalidEffectivePolicy(ctx context.Context, r *service.Request) (any, error) {
	var in effectiveListIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	f.effectiveType(in.PolicyType)
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
	if _, err := newPage(r.Action, in.pageIn, "\x00"); err != nil {
		return nil, err
	}
	return map[string]any{"Accounts": []accountOut{}, "PolicyType": in.PolicyType}, nil
}

// listEffectivePolicyValidationErrors: see
// listAccountsWithInvalidEffectivePolicy; the list is always empty.
func (s *Service) listEffectivePolicyValidationErrors(ctx context.Context, r *service.Request) (any, error) {
	var in effectiveListIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	id := f.accountID("AccountId", in.AccountId)
	f.effectiveType(in.PolicyType)
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
	if _, err := newPage(r.Action, in.pageIn, "\x00"); err != nil {
		return nil, err
	}
	path, err := c.accountPath(a)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{
		"AccountId": id, "PolicyType": in.PolicyType, "Path": path,
		"EvaluationTimestamp":             service.Time(r.Now),
		"EffectivePolicyValidationErrors": []struct{}{},
	}, nil
}
