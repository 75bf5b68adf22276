package plan

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// The apply lock lives in the organization itself, as the tag
// bulkhead:lock on the root, so that one implementation serves the local
// AWS and real AWS and every machine that can apply sees it. Tagging is
// not a compare-and-swap, so taking the lock is check, write, verify,
// wait, verify again: two writers that both saw the tag free both write,
// and whichever wrote last wins at the second verification; the other
// backs off. The wait (LockOptions.Settle) must exceed the time between a
// rival's read and its write, a few hundred milliseconds in practice.
// Tag values allow letters, digits, spaces and _ . : / = + - @
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_Tag.html),
// so the holder is written as space-separated key=value pairs.

// LockOptions configure Acquire.
type LockOptions struct {
	// Holder names who takes the lock ("alice@laptop"), Host and PID
	// where.
	Holder string
	Host   string
	PID    int
	// StaleAfter is the age past which a lock is considered abandoned and
	// taken over (default 1 hour).
	StaleAfter time.Duration
	// Settle is the wait between the two verifications (default 500ms).
	Settle time.Duration
	Clock  Clock
	// Alive, when set, reports whether the process that holds a lock
	// still runs (false only when sure: same host, no such pid). A lock
	// whose holder is dead is taken over at once, so a killed apply does
	// not block the next one for StaleAfter.
	Alive func(host string, pid int) bool
}

// LockInfo is who holds the lock.
type LockInfo struct {
	Holder string    `json:"holder"`
	Host   string    `json:"host,omitempty"`
	PID    int       `json:"pid,omitempty"`
	Time   time.Time `json:"time"`
	Token  string    `json:"token"`
	// Raw is the tag value as found.
	Raw string `json:"-"`
}

// Age is how long the lock has been held at now.
func (l LockInfo) Age(now time.Time) time.Duration { return now.Sub(l.Time).Round(time.Second) }

func (l LockInfo) String() string {
	s := l.Holder
	if l.Host != "" {
		s += " on " + l.Host
	}
	if l.PID != 0 {
		s += fmt.Sprintf(" (pid %d)", l.PID)
	}
	return s
}

func (l LockInfo) value() string {
	return fmt.Sprintf("holder=%s host=%s pid=%d time=%s token=%s",
		tagSafe(l.Holder), tagSafe(l.Host), l.PID, l.Time.UTC().Format(time.RFC3339), l.Token)
}

// tagSafe keeps the characters a tag value allows, without spaces (the
// field separator).
func tagSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_.:/+-@", r):
			return r
		}
		return '_'
	}, s)
}

// ParseLock reads a lock tag value.
func ParseLock(v string) (LockInfo, error) {
	l := LockInfo{Raw: v}
	for _, f := range strings.Fields(v) {
		k, val, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		switch k {
		case "holder":
			l.Holder = val
		case "host":
			l.Host = val
		case "pid":
			l.PID, _ = strconv.Atoi(val)
		case "time":
			t, err := time.Parse(time.RFC3339, val)
			if err != nil {
				return l, fmt.Errorf("lock tag %q: bad time: %v", v, err)
			}
			l.Time = t
		case "token":
			l.Token = val
		}
	}
	if l.Token == "" || l.Time.IsZero() {
		return l, fmt.Errorf("lock tag %q: not written by bulkhead", v)
	}
	return l, nil
}

// LockedError is returned when another apply holds the lock.
type LockedError struct {
	Info LockInfo
	Age  time.Duration
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another apply holds the lock: %s, for %s (tag %s on the organization root); wait for it, or break it with `bulkhead unlock --force` if it is gone", e.Info, e.Age, LockTag)
}

// ErrLocked matches any *LockedError with errors.Is.
var ErrLocked = errors.New("locked")

func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Lock is a held lock.
type Lock struct {
	p      provider.Provider
	rootID string
	info   LockInfo
}

// Info describes the held lock.
func (l *Lock) Info() LockInfo { return l.info }

// ReadLock returns the lock on the root, if any.
func ReadLock(ctx context.Context, p provider.Provider, rootID string) (LockInfo, bool, error) {
	tags, err := p.Tags(ctx, rootID)
	if err != nil {
		return LockInfo{}, false, fmt.Errorf("read lock: %w", err)
	}
	v, ok := tags[LockTag]
	if !ok {
		return LockInfo{}, false, nil
	}
	info, err := ParseLock(v)
	if err != nil {
		// Unreadable: treat as held since the epoch, so it is stale.
		info = LockInfo{Holder: "unknown", Raw: v}
	}
	return info, true, nil
}

// Acquire takes the apply lock on the organization whose root is rootID.
func Acquire(ctx context.Context, p provider.Provider, rootID string, o LockOptions) (*Lock, error) {
	if o.Clock == nil {
		o.Clock = RealClock
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = time.Hour
	}
	if o.Settle <= 0 {
		o.Settle = 500 * time.Millisecond
	}
	if o.Holder == "" {
		o.Holder = "bulkhead"
	}
	now := o.Clock.Now()
	cur, held, err := ReadLock(ctx, p, rootID)
	if err != nil {
		return nil, err
	}
	if held && now.Sub(cur.Time) < o.StaleAfter {
		return nil, &LockedError{Info: cur, Age: cur.Age(now)}
	}
	var tok [8]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return nil, err
	}
	info := LockInfo{Holder: tagSafe(o.Holder), Host: tagSafe(o.Host), PID: o.PID, Time: now.UTC().Truncate(time.Second), Token: hex.EncodeToString(tok[:])}
	if err := p.TagResource(ctx, rootID, map[string]string{LockTag: info.value()}); err != nil {
		return nil, fmt.Errorf("take lock: %w", err)
	}
	for i := 0; i < 2; i++ {
		if i == 1 {
			select {
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			case <-o.Clock.After(o.Settle):
			}
		}
		got, held, err := ReadLock(ctx, p, rootID)
		if err != nil {
			return nil, err
		}
		if !held || got.Token != info.Token {
			return nil, &LockedError{Info: got, Age: got.Age(o.Clock.Now())}
		}
	}
	return &Lock{p: p, rootID: rootID, info: info}, nil
}

// Release removes the lock if it is still ours. It uses ctx only for the
// requests: call it with a fresh context after an interrupt.
func (l *Lock) Release(ctx context.Context) error {
	got, held, err := ReadLock(ctx, l.p, l.rootID)
	if err != nil {
		return err
	}
	if !held || got.Token != l.info.Token {
		return fmt.Errorf("release lock: it was broken and is now held by %s", got)
	}
	if err := l.p.UntagResource(ctx, l.rootID, []string{LockTag}); err != nil {
		return fmt.Errorf("release lock: %w", err)
	}
	return nil
}

// BreakLock removes the lock whoever holds it (bulkhead unlock --force).
func BreakLock(ctx context.Context, p provider.Provider, rootID string) error {
	if err := p.UntagResource(ctx, rootID, []string{LockTag}); err != nil {
		return fmt.Errorf("break lock: %w", err)
	}
	return nil
}
