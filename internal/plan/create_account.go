package plan

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// CreateAccount is asynchronous and not idempotent: sent twice for one
// email, the second request fails later (EMAIL_ALREADY_EXISTS), and a
// request whose answer was lost may still succeed
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html).
// So each creation goes through the journal: "sending" is written (and
// fsync'd) before the request, the status id after it, and the entry is
// removed once the account is in its unit. A later run that finds an entry
// resumes it instead of sending again: it polls a known status id, or,
// for an entry whose request may or may not have reached AWS, looks for
// the account by email and for an in-flight request by name first.

func (e *executor) createAccount(ctx context.Context, op *Op) (string, error) {
	j := e.opts.Journal
	entry, ok := j.Get(op.Email)
	now := e.clock.Now()
	if !ok {
		entry = JournalEntry{Email: op.Email, Account: op.Account, Started: now}
	}
	// An account with this email already in the organization (live when
	// the plan's state was read) is adopted, never created again.
	if a := e.live.AccountByEmail(op.Email); a != nil {
		entry.State, entry.AccountID = JournalCreated, a.ID
	}
	if entry.State == JournalSending || (entry.State == "" && entry.StatusID == "") {
		// Unknown outcome, or no journal entry at all (a journal lost
		// with its machine): an in-flight request for this name is ours.
		st, found, err := e.inflightFor(ctx, op.Account)
		if err != nil {
			return "", err
		}
		if found {
			entry.State, entry.StatusID = JournalSent, st.ID
		}
	}
	releaseSlot := func() {}
	if entry.State == "" || entry.State == JournalSending || entry.State == JournalSent {
		// A creation in progress, sent now or resumed, holds a slot.
		select {
		case e.creating <- struct{}{}:
		case <-ctx.Done():
			return "", context.Cause(ctx)
		}
		var once sync.Once
		releaseSlot = func() { once.Do(func() { <-e.creating }) }
		defer releaseSlot()
	}
	if entry.State == "" || entry.State == JournalSending {
		entry.State, entry.Updated = JournalSending, now
		if err := j.Put(entry); err != nil {
			return "", err
		}
		id, err := e.p.CreateAccount(ctx, provider.CreateAccountInput{Name: op.Account, Email: op.Email, RoleName: op.Role, Tags: op.Tags})
		if err != nil {
			// The request may have reached AWS: the entry stays
			// "sending", and the next run looks before sending.
			return "", fmt.Errorf("create account %s: %w (its outcome is unknown; run apply again: bulkhead looks for the account before sending again)", op.Account, err)
		}
		entry.State, entry.StatusID, entry.Updated = JournalSent, id, e.clock.Now()
		if err := j.Put(entry); err != nil {
			return "", err
		}
	}
	if entry.State == JournalSent {
		st, err := e.poll(ctx, entry.StatusID)
		if err != nil {
			return "", err
		}
		if st.State == provider.CreateFailed {
			// A failed request made nothing: forget it, so the next run
			// may try again once the cause is fixed.
			if derr := j.Delete(op.Email); derr != nil {
				return "", derr
			}
			return "", fmt.Errorf("create account %s: AWS reports FAILED: %s", op.Account, st.FailureReason)
		}
		entry.State, entry.AccountID, entry.Updated = JournalCreated, st.AccountID, e.clock.Now()
		if err := j.Put(entry); err != nil {
			return "", err
		}
	}
	releaseSlot() // created: the move does not count against AWS's limit
	e.mu.Lock()
	e.accounts[op.Account] = entry.AccountID
	e.mu.Unlock()
	if op.Parent != "" {
		if err := e.placeNewAccount(ctx, op, entry.AccountID); err != nil {
			return "", err
		}
	}
	if err := j.Delete(op.Email); err != nil {
		return "", err
	}
	return "account " + entry.AccountID, nil
}

// placeNewAccount moves a new account from the root into its unit. An
// account adopted from a crashed run may be there already.
func (e *executor) placeNewAccount(ctx context.Context, op *Op, id string) error {
	to, err := e.unitID(op.Parent)
	if err != nil {
		return err
	}
	from, err := e.root()
	if err != nil {
		return err
	}
	if a := e.live.AccountByEmail(op.Email); a != nil && a.Unit != "" {
		if u := e.live.Units[a.Unit]; u != nil {
			from = u.ID
		}
	}
	if from == to {
		return nil
	}
	err = e.p.MoveAccount(ctx, id, from, to)
	if err != nil && (errors.Is(err, provider.ErrNotFound) || errors.Is(err, provider.ErrAlreadyExists)) {
		// SourceParentNotFound / DuplicateAccount: moved already.
		return nil
	}
	if err != nil {
		return fmt.Errorf("move new account %s into %s: %w", op.Account, op.Parent, err)
	}
	return nil
}

// inflightFor finds an in-progress creation request for an account name.
// The list is read once per apply: requests sent by this run are in the
// journal, so only earlier runs' requests matter.
func (e *executor) inflightFor(ctx context.Context, name string) (provider.CreateAccountStatus, bool, error) {
	e.inflightOnce.Do(func() {
		e.inflight, e.inflightErr = e.p.CreateAccountRequests(ctx, provider.CreateInProgress)
	})
	if e.inflightErr != nil {
		return provider.CreateAccountStatus{}, false, fmt.Errorf("list account creations in progress: %w", e.inflightErr)
	}
	for _, st := range e.inflight {
		if strings.EqualFold(st.AccountName, name) {
			return st, true, nil
		}
	}
	return provider.CreateAccountStatus{}, false, nil
}

// poll waits for a creation request to end. Creations take about the same
// time (minutes in AWS), so the wait adapts: until one creation has been
// seen to finish, polls are spaced by an eighth of the time already waited
// (at least PollInitial, at most PollMax), which overshoots the end by at
// most an eighth; once one has finished, polls are aimed at half the
// expected time, just before its end, then every twentieth of it.
func (e *executor) poll(ctx context.Context, statusID string) (provider.CreateAccountStatus, error) {
	start := e.clock.Now()
	for {
		st, err := e.p.DescribeCreateAccount(ctx, statusID)
		if err != nil {
			return st, fmt.Errorf("describe create account status %s: %w", statusID, err)
		}
		now := e.clock.Now()
		if st.State != provider.CreateInProgress {
			if st.State == provider.CreateSucceeded {
				e.observeCreation(now.Sub(start))
			}
			return st, nil
		}
		select {
		case <-ctx.Done():
			return st, context.Cause(ctx)
		case <-e.clock.After(e.pollWait(now.Sub(start))):
		}
	}
}

// pollWait is the wait before the next poll of a creation waited on for
// elapsed.
func (e *executor) pollWait(elapsed time.Duration) time.Duration {
	e.mu.Lock()
	est := e.createEst
	e.mu.Unlock()
	wait := elapsed / 8
	if est > 0 {
		// First poll at half the estimate (so a shorter creation time is
		// learnt), then at the estimate less a twentieth, then every
		// twentieth.
		switch aim := est - est/20; {
		case elapsed < est/2:
			wait = est/2 - elapsed
		case elapsed < aim:
			wait = aim - elapsed
		default:
			wait = est / 20
		}
	}
	return min(max(wait, e.opts.PollInitial), e.opts.PollMax)
}

// observeCreation keeps the shortest creation time seen (an upper bound
// of the true one, since it includes polling overshoot).
func (e *executor) observeCreation(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.createEst == 0 || d < e.createEst {
		e.createEst = d
	}
}
