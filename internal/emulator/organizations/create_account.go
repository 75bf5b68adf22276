package organizations

import (
	"context"
	"errors"
	"slices"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// CreateAccount is asynchronous in AWS: it returns a CreateAccountStatus
// IN_PROGRESS that SUCCEEDS or FAILS minutes later
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html).
// Here the outcome is decided, and everything it implies written, in the
// CreateAccount transaction itself; the request and the account only come
// into view CreateAccountDelay later on the request clock. No background
// work and no write on read: the store is the same whether anyone polls or
// not, and read-only requests stay read-only.
//
// One difference from AWS follows: the new account's entry in
// service.AccountTable and what the OnAccountCreated hooks provision (the
// organization access role) exist from the CreateAccount request on, so
// a client that guesses the account id could use it before the request
// SUCCEEDS. Organizations itself does not show the account until then.

const defaultAccessRole = "OrganizationAccountAccessRole"

type createAccountIn struct {
	Email                  *string
	AccountName            *string
	RoleName               *string
	IamUserAccessToBilling string
	Tags                   []tagIn
}

func (s *Service) createAccount(ctx context.Context, r *service.Request) (any, error) {
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
	f.pattern("AccountName", name, "INVALID_PATTERN", accountNamePattern())
	role := defaultAccessRole
	if in.RoleName != nil {
		role = *in.RoleName
		if !roleNamePattern().MatchString(role) {
			f.fail(invalid("INVALID_ROLE_NAME", "RoleName %q must be 1 to 64 characters of letters, digits and +=,.@_-.", role))
		}
	}
	if in.IamUserAccessToBilling != "" {
		f.enum("IamUserAccessToBilling", in.IamUserAccessToBilling, "ALLOW", "DENY")
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
	if len(in.Tags) > 0 {
		if err := r.Authorize(ctx, service.Authz{Action: "organizations:TagResource", Resource: c.org.arn(), ResourceAccount: c.org.MgmtAccountID}); err != nil {
			return nil, err
		}
	}
	g := ids{s.rand}
	carID, err := g.car()
	if err != nil {
		return nil, err
	}
	car := &carDoc{ID: carID, AccountName: name, Requested: r.Now, CompletesAt: r.Now.Add(s.cfg.CreateAccountDelay)}
	car.FailureReason, err = s.failureReason(c, email)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if car.FailureReason == "" {
		car.AccountID, err = s.materialize(ctx, c, car, email, role, in.Tags)
		if err != nil {
			return nil, err
		}
	}
	if err := r.Tx.Insert(carTable, key(c.org.ID, carID), car); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"CreateAccountStatus": carView(car, r)}, nil
}

// failureReason decides whether the request will FAIL, and why.
func (s *Service) failureReason(c *orgCall, email string) (string, error) {
	if s.cfg.FailCreateAccount != nil {
		if reason := s.cfg.FailCreateAccount(email); reason != "" {
			return reason, nil
		}
	}
	var owner string
	ok, err := c.tx.Get(emailTable, lower(email), &owner)
	if err != nil {
		return "", err
	}
	if ok {
		return "EMAIL_ALREADY_EXISTS", nil
	}
	n, err := c.tx.Count(accountTable, c.org.ID+"/")
	if err != nil {
		return "", err
	}
	if n >= s.quotas.MaxAccounts {
		return "ACCOUNT_LIMIT_EXCEEDED", nil
	}
	return "", nil
}

// materialize writes the new account (hidden until car.CompletesAt),
// publishes it to the rest of the local AWS and runs the hooks.
func (s *Service) materialize(ctx context.Context, c *orgCall, car *carDoc, email, role string, tags []tagIn) (string, error) {
	tx := c.tx
	var id string
	for {
		var err error
		if id, err = (ids{s.rand}).account(); err != nil {
			return "", err
		}
		var existing service.Account
		taken, err := tx.Get(service.AccountTable, id, &existing)
		if err != nil {
			return "", storeErr(c.r.Action, err)
		}
		if !taken {
			break
		}
	}
	a := &accountDoc{ID: id, Name: car.AccountName, Email: email, ParentID: c.org.RootID, JoinedMethod: "CREATED", Joined: car.CompletesAt, CompletesAt: car.CompletesAt, Status: "ACTIVE"}
	err := firstErr(
		func() error { return tx.Insert(accountTable, key(c.org.ID, id), a) },
		func() error { return tx.Put(memberTable, id, memberDoc{OrgID: c.org.ID}) },
		func() error { return tx.Put(emailTable, lower(email), id) },
		func() error {
			return tx.Put(childTable, key(c.org.ID, c.org.RootID, "ACCOUNT", id), childDoc{ID: id, Type: "ACCOUNT"})
		},
		func() error {
			return tx.Put(service.AccountTable, id, service.Account{ID: id, Name: a.Name, Email: email, Created: car.CompletesAt})
		},
		func() error { return c.onNewTarget(id) },
		func() error { return c.putTags(id, tags) },
	)
	if err != nil {
		return "", storeErr(c.r.Action, err)
	}
	ev := service.AccountCreated{AccountID: id, ManagementAccountID: c.org.MgmtAccountID, AccessRoleName: role, Now: car.CompletesAt}
	for _, hook := range s.cfg.OnAccountCreated {
		if err := hook(ctx, tx, ev); err != nil {
			var se *service.Error
			if errors.As(err, &se) {
				return "", se
			}
			return "", storeErr(c.r.Action, err)
		}
	}
	return id, nil
}

func carView(car *carDoc, r *service.Request) createAccountStatusOut {
	out := createAccountStatusOut{Id: car.ID, AccountName: car.AccountName, State: car.state(r.Now), RequestedTimestamp: service.Time(car.Requested)}
	if out.State != "IN_PROGRESS" {
		t := service.Time(car.CompletesAt)
		out.CompletedTimestamp = &t
		out.AccountId = car.AccountID
		out.FailureReason = car.FailureReason
	}
	return out
}

type carIn struct {
	CreateAccountRequestId *string
	States                 []string
	pageIn
}

func (s *Service) describeCreateAccountStatus(ctx context.Context, r *service.Request) (any, error) {
	var in carIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	id := f.id("CreateAccountRequestId", in.CreateAccountRequestId, "INVALID_PATTERN", carIDPattern())
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
	var car carDoc
	ok, err := r.Tx.Get(carTable, key(c.org.ID, id), &car)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if !ok {
		return nil, awsErr("CreateAccountStatusNotFoundException", "We can't find a create account request with the ID %s.", id)
	}
	return map[string]any{"CreateAccountStatus": carView(&car, r)}, nil
}

func (s *Service) listCreateAccountStatus(ctx context.Context, r *service.Request) (any, error) {
	var in carIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	for _, st := range in.States {
		f.enum("States", st, "IN_PROGRESS", "SUCCEEDED", "FAILED")
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
	p, err := newPage(r.Action, in.pageIn, c.org.ID+"/")
	if err != nil {
		return nil, err
	}
	items, next, err := scanPage(p, r.Tx, carTable, c.org.ID+"/", func(_ string, d store.Doc) (createAccountStatusOut, bool, error) {
		var car carDoc
		if err := d.Decode(&car); err != nil {
			return createAccountStatusOut{}, false, err
		}
		v := carView(&car, r)
		return v, len(in.States) == 0 || slices.Contains(in.States, v.State), nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("CreateAccountStatuses", items, next), nil
}
