package provider

import (
	"context"
	"sync"
	"time"
)

// Clock is the provider's time source. Sleep must return early with
// ctx.Err() when ctx is done; a test clock may advance itself instead of
// waiting.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// WallClock is the real clock.
type WallClock struct{}

// Now returns time.Now().
func (WallClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx is done.
func (WallClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Adaptive rate limiting, after the SDK's adaptive retry mode and TCP's
// AIMD: an operation runs unlimited until AWS first throttles it. Then
// its rate is set to half the rate it was being sent at, halved again on
// each further throttle (at most once per backoffWindow, since a burst
// of concurrent requests reports one overload, not many), and raised by
// a step on every success. Once the rate is back above twice the rate
// that was first throttled, the limit is lifted again: the limiter has
// recovered.
const (
	minRate       = 0.5 // requests per second; the floor of the back-off
	rateStep      = 0.2 // requests per second added per success
	backoffWindow = 500 * time.Millisecond
	measureWindow = time.Second
)

// limiter is the adaptive rate limiter of one operation.
type limiter struct {
	clock Clock

	mu sync.Mutex
	// rate is the current limit in requests per second; 0 is unlimited.
	rate float64
	// ceiling is where the limit is lifted: twice the send rate at the
	// first throttle.
	ceiling float64
	// next is the earliest start of the next request while limited.
	next time.Time
	// lastCut is when the rate was last cut.
	lastCut time.Time
	// windowStart and sent measure the unlimited send rate.
	windowStart    time.Time
	sent, prevSent int
}

func newLimiter(c Clock) *limiter { return &limiter{clock: c} }

// wait blocks until a request may be sent, or ctx is done.
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := l.clock.Now()
	l.count(now)
	if l.rate == 0 {
		l.mu.Unlock()
		return ctx.Err()
	}
	start := now
	if l.next.After(start) {
		start = l.next
	}
	l.next = start.Add(time.Duration(float64(time.Second) / l.rate))
	l.mu.Unlock()
	return l.clock.Sleep(ctx, start.Sub(now))
}

// count measures the send rate in whole windows.
func (l *limiter) count(now time.Time) {
	switch {
	case l.windowStart.IsZero():
		l.windowStart = now
	case now.Sub(l.windowStart) >= 2*measureWindow:
		l.windowStart, l.sent, l.prevSent = now, 0, 0
	case now.Sub(l.windowStart) >= measureWindow:
		l.windowStart, l.prevSent, l.sent = l.windowStart.Add(measureWindow), l.sent, 0
	}
	l.sent++
}

// throttled records that AWS throttled a request of this operation.
func (l *limiter) throttled() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if !l.lastCut.IsZero() && now.Sub(l.lastCut) < backoffWindow {
		return
	}
	l.lastCut = now
	if l.rate == 0 {
		sending := float64(max(l.sent, l.prevSent)) / measureWindow.Seconds()
		l.rate = max(minRate, sending/2)
		l.ceiling = 2 * max(minRate, sending)
		l.next = now
		return
	}
	l.rate = max(minRate, l.rate/2)
}

// succeeded records a request of this operation that was not throttled.
func (l *limiter) succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rate == 0 {
		return
	}
	l.rate += rateStep
	if l.rate >= l.ceiling {
		l.rate, l.ceiling = 0, 0
	}
}

// limit returns the current rate limit (0: unlimited), for tests and
// --debug.
func (l *limiter) limit() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate
}
