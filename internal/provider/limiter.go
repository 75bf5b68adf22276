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

// Adaptive rate limiting, after the SDK's adaptive retry mode: an
// operation runs unlimited until AWS throttles it. Then its rate is set to
// half the rate it was being sent at; each further cut halves it again,
// and each success raises it by 2 % (at least rateStep). Once the rate is
// back above twice the rate first cut, the limit is lifted: the limiter
// has recovered.
//
// A cut needs evidence: in the current epoch (at least measureWindow and
// minSamples requests, restarted at each cut), at least minSamples
// requests, cutFraction of them throttled, and backoffWindow since the
// last cut. A burst of
// concurrent requests then reports one overload, not many; and throttling
// that does not follow the send rate (quotas shared with other callers,
// or the local AWS's injected faults at 30 %) rarely cuts, while every
// success raises the rate, so it cannot collapse the rate to the floor.
// Against a real rate limit the send rate settles near 1/(1-cutFraction)
// times the limit: the server is kept busy, and fewer than cutFraction of
// the requests are throttled.
const (
	minRate       = 0.5  // requests per second; the floor of the back-off
	rateStep      = 0.2  // requests per second added per success, at least
	rateGrowth    = 1.02 // factor per success
	minSamples    = 16
	cutFraction   = 0.4
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
	// first cut.
	ceiling float64
	// next is the earliest start of the next request while limited.
	next time.Time
	// lastCut is when the rate was last cut. The evidence for a cut is
	// gathered in epochs of at least measureWindow and minSamples
	// requests, from evalStart: sinceCut counts the requests sent in the
	// epoch, throttledSinceCut those of them throttled.
	lastCut, evalStart          time.Time
	sinceCut, throttledSinceCut int
	// windowStart and sent measure the send rate.
	windowStart    time.Time
	sent, prevSent int
}

func newLimiter(c Clock) *limiter { return &limiter{clock: c} }

// wait blocks until a request may be sent, or ctx is done.
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := l.clock.Now()
	l.count(now)
	if l.evalStart.IsZero() {
		l.evalStart = now
	}
	if now.Sub(l.evalStart) >= measureWindow && l.sinceCut >= minSamples {
		l.evalStart, l.sinceCut, l.throttledSinceCut = now, 0, 0
	}
	l.sinceCut++
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

// sendRate is the rate requests were sent at over the current and the
// previous measureWindow, or since the first request when that is more
// recent (a burst at the start is measured as the burst it is).
func (l *limiter) sendRate(now time.Time) float64 {
	from, n := l.windowStart, l.sent
	if l.prevSent > 0 {
		from, n = l.windowStart.Add(-measureWindow), n+l.prevSent
	}
	return float64(n) / max(now.Sub(from).Seconds(), 0.01)
}

// throttled records that AWS throttled a request of this operation.
func (l *limiter) throttled() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.throttledSinceCut++
	now := l.clock.Now()
	if l.sinceCut < minSamples || float64(l.throttledSinceCut) < cutFraction*float64(l.sinceCut) ||
		(!l.lastCut.IsZero() && now.Sub(l.lastCut) < backoffWindow) {
		return
	}
	l.lastCut, l.evalStart, l.sinceCut, l.throttledSinceCut = now, now, 0, 0
	if l.rate == 0 {
		sending := l.sendRate(now)
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
	l.rate = max(l.rate*rateGrowth, l.rate+rateStep)
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
