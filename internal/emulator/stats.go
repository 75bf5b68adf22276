package emulator

import (
	"sort"
	"sync"
	"sync/atomic"
)

// OperationStats are the calls one operation received since the emulator
// opened (or since ResetStats).
type OperationStats struct {
	// Operation is "service:Action" ("sts:AssumeRole").
	Operation string `json:"operation"`
	Calls     int64  `json:"calls"`
	// Errors counts calls that failed, whatever the cause (including
	// injected faults and authentication failures).
	Errors int64 `json:"errors"`
	// ErrorCodes counts failures by AWS error code.
	ErrorCodes map[string]int64 `json:"errorCodes,omitempty"`
}

type opCounter struct {
	calls, errors atomic.Int64
	mu            sync.Mutex
	codes         map[string]int64
}

// stats counts calls per operation. Requests that never reach a service
// (unsigned, unknown service) count under "unrouted".
type stats struct {
	ops sync.Map // "service:Action" → *opCounter
}

func (s *stats) record(svc, action, errCode string) {
	key := svc + ":" + action
	if svc == "" {
		// Unsigned or unroutable: neither service nor action is known.
		key = "unrouted"
	}
	v, ok := s.ops.Load(key)
	if !ok {
		v, _ = s.ops.LoadOrStore(key, &opCounter{})
	}
	c := v.(*opCounter)
	c.calls.Add(1)
	if errCode != "" {
		c.errors.Add(1)
		c.mu.Lock()
		if c.codes == nil {
			c.codes = map[string]int64{}
		}
		c.codes[errCode]++
		c.mu.Unlock()
	}
}

// Stats returns the per-operation call counts, sorted by operation.
func (e *Emulator) Stats() []OperationStats {
	var out []OperationStats
	e.stats.ops.Range(func(k, v any) bool {
		c := v.(*opCounter)
		st := OperationStats{Operation: k.(string), Calls: c.calls.Load(), Errors: c.errors.Load()}
		c.mu.Lock()
		if len(c.codes) > 0 {
			st.ErrorCodes = make(map[string]int64, len(c.codes))
			for code, n := range c.codes {
				st.ErrorCodes[code] = n
			}
		}
		c.mu.Unlock()
		out = append(out, st)
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Operation < out[j].Operation })
	return out
}

// Calls returns how many calls op ("sts:AssumeRole") received.
func (e *Emulator) Calls(op string) int64 {
	v, ok := e.stats.ops.Load(op)
	if !ok {
		return 0
	}
	return v.(*opCounter).calls.Load()
}

// ResetStats zeroes every counter.
func (e *Emulator) ResetStats() { e.stats.ops.Clear() }
