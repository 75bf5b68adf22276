package emulator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Faults are failures the emulator injects so that clients can prove their
// retries and error handling. The zero value injects nothing. Draws come
// from a PCG generator seeded with Seed, so a run with the same requests in
// the same order fails the same way.
type Faults struct {
	// ThrottleRate is the fraction (0..1) of requests refused with the
	// service's throttling error: TooManyRequestsException (400) for
	// Organizations, Throttling (400, "Rate exceeded") for Query services.
	ThrottleRate float64 `json:"throttleRate,omitempty"`
	// ErrorRate is the fraction (0..1) of requests failed with a server
	// error: Organizations' ServiceException (500), IAM's ServiceFailure
	// (500), ServiceUnavailable (503) elsewhere.
	ErrorRate float64 `json:"errorRate,omitempty"`
	// Latency is added to every request before it runs.
	Latency Duration `json:"latency,omitempty"`
	// CreateAccountFailureRate is the fraction (0..1) of CreateAccount
	// requests that end FAILED with CreateAccountFailureReason.
	CreateAccountFailureRate float64 `json:"createAccountFailureRate,omitempty"`
	// CreateAccountFailureReason is the FailureReason of injected
	// CreateAccount failures; INTERNAL_FAILURE when empty.
	CreateAccountFailureReason string `json:"createAccountFailureReason,omitempty"`
	// Operations limits throttling, errors and latency to these
	// operations ("sts:AssumeRole", "organizations:ListAccounts"); empty
	// means every operation.
	Operations []string `json:"operations,omitempty"`
	// Seed seeds the generator.
	Seed uint64 `json:"seed,omitempty"`
}

// Duration is a time.Duration that reads and writes JSON as a Go duration
// string ("250ms").
type Duration time.Duration

// MarshalJSON renders "250ms".
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Duration(d).String() + `"`), nil
}

// UnmarshalJSON accepts "250ms" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' {
		v, err := time.ParseDuration(s[1 : len(s)-1])
		if err != nil {
			return fmt.Errorf("latency %s: want a duration such as \"250ms\"", s)
		}
		*d = Duration(v)
		return nil
	}
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		return fmt.Errorf("latency %s: want a duration such as \"250ms\"", s)
	}
	*d = Duration(n)
	return nil
}

func (f Faults) validate() error {
	for name, r := range map[string]float64{"throttle rate": f.ThrottleRate, "error rate": f.ErrorRate, "CreateAccount failure rate": f.CreateAccountFailureRate} {
		if r < 0 || r > 1 {
			return fmt.Errorf("fault %s %v: want a fraction from 0 to 1", name, r)
		}
	}
	if f.Latency < 0 {
		return fmt.Errorf("fault latency %v: must not be negative", time.Duration(f.Latency))
	}
	return nil
}

// faultState is the current Faults and their generator.
type faultState struct {
	// active is false when no request fault is configured, so that the
	// hot path takes no lock.
	active atomic.Bool
	mu     sync.Mutex
	f      Faults
	ops    map[string]bool
	rng    *rand.Rand
}

func (s *faultState) set(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f = f
	s.ops = nil
	if len(f.Operations) > 0 {
		s.ops = make(map[string]bool, len(f.Operations))
		for _, op := range f.Operations {
			s.ops[op] = true
		}
	}
	s.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	s.active.Store(f.ThrottleRate > 0 || f.ErrorRate > 0 || f.Latency > 0)
	return nil
}

func (s *faultState) get() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f
}

// draw decides, under the lock, what to inject for one request.
func (s *faultState) draw(op string) (latency time.Duration, throttle, fail bool) {
	if !s.active.Load() {
		return 0, false, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f.ThrottleRate == 0 && s.f.ErrorRate == 0 && s.f.Latency == 0 {
		return 0, false, false
	}
	if s.ops != nil && !s.ops[op] {
		return 0, false, false
	}
	latency = time.Duration(s.f.Latency)
	if s.f.ThrottleRate > 0 && s.rng.Float64() < s.f.ThrottleRate {
		return latency, true, false
	}
	if s.f.ErrorRate > 0 && s.rng.Float64() < s.f.ErrorRate {
		return latency, false, true
	}
	return latency, false, false
}

// inject applies latency and returns the injected error, if any.
func (s *faultState) inject(ctx context.Context, spec *service.Spec, action string) error {
	latency, throttle, fail := s.draw(spec.Name + ":" + action)
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	switch {
	case throttle:
		return throttleError(spec)
	case fail:
		return serverError(spec)
	}
	return nil
}

// failCreateAccount is Organizations' FailCreateAccount hook.
func (s *faultState) failCreateAccount(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f.CreateAccountFailureRate == 0 || s.rng.Float64() >= s.f.CreateAccountFailureRate {
		return ""
	}
	if s.f.CreateAccountFailureReason != "" {
		return s.f.CreateAccountFailureReason
	}
	return "INTERNAL_FAILURE"
}

// throttleError is the service's throttling error; aws-sdk-go-v2 and
// botocore retry both codes with backoff.
func throttleError(spec *service.Spec) *service.Error {
	if spec.Protocol == service.JSON {
		return service.BadRequest("TooManyRequestsException", "You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later. (injected by the local AWS)")
	}
	return service.BadRequest("Throttling", "Rate exceeded (injected by the local AWS)")
}

// serverError is the service's own server-side error where its model
// declares one, so clients parse it as the typed error.
func serverError(spec *service.Spec) *service.Error {
	switch spec.Name {
	case "organizations":
		return service.Errorf(http.StatusInternalServerError, "ServiceException", "AWS Organizations can't complete your request because of an internal service error. Try again later. (injected by the local AWS)")
	case "iam":
		return service.Errorf(http.StatusInternalServerError, "ServiceFailure", "The request processing has failed because of an unknown error, exception or failure. (injected by the local AWS)")
	}
	return service.Errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "The request has failed due to a temporary failure of the server. (injected by the local AWS)")
}

// SetFaults replaces the injected faults (and reseeds the generator).
func (e *Emulator) SetFaults(f Faults) error { return e.faults.set(f) }

// Faults returns the injected faults.
func (e *Emulator) Faults() Faults { return e.faults.get() }
