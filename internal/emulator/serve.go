package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/protocol"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/sigv4"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// maxBody bounds request bodies; AWS's largest control-plane inputs
// (policy documents) are tens of kilobytes.
const maxBody = 4 << 20

// call is one request on its way through the front end.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	id     string
	proto  service.Protocol // for rendering errors before a service is known
	spec   *service.Spec
	action string
	start  time.Time
}

func (e *Emulator) serveHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, id: e.requestID(), start: time.Now()}
	w.Header().Set("x-amzn-RequestId", c.id)
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		e.serveAdmin(w, r)
		return
	}
	c.proto = service.Query
	if r.Header.Get("X-Amz-Target") != "" || strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json") {
		c.proto = service.JSON
	}
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("local aws: panic serving request", "request_id", c.id, "service", c.serviceName(), "action", c.action, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			e.writeError(c, internalFailure())
		}
	}()
	err := e.serve(c)
	if err != nil {
		var se *service.Error
		if !errors.As(err, &se) {
			if r.Context().Err() != nil {
				// The client went away; nothing failed on our side.
				e.log.Debug("local aws: request abandoned by the client", "request_id", c.id, "service", c.serviceName(), "action", c.action, "err", err)
			} else {
				e.log.Error("local aws: internal failure", "request_id", c.id, "service", c.serviceName(), "action", c.action, "err", err)
			}
			se = internalFailure()
		}
		e.stats.record(c.serviceName(), c.action, se.Code)
		e.writeError(c, se)
		e.log.Debug("local aws", "request_id", c.id, "service", c.serviceName(), "action", c.action, "status", se.Status, "code", se.Code, "elapsed", time.Since(c.start))
		return
	}
	e.stats.record(c.serviceName(), c.action, "")
	e.log.Debug("local aws", "request_id", c.id, "service", c.serviceName(), "action", c.action, "status", http.StatusOK, "elapsed", time.Since(c.start))
}

func (c *call) serviceName() string {
	if c.spec == nil {
		return ""
	}
	return c.spec.Name
}

func internalFailure() *service.Error {
	return service.Errorf(http.StatusInternalServerError, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.")
}

// serve runs the request and writes the success response; a returned error
// is rendered by the caller.
func (e *Emulator) serve(c *call) error {
	r := c.r
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return service.Errorf(http.StatusMethodNotAllowed, "InvalidAction", "method %s is not supported: AWS JSON services take POST and Query services POST or GET", r.Method)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return service.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "the request body is larger than %d bytes", maxBody)
		}
		return service.BadRequest("MalformedInput", "reading the request body: %v", err)
	}

	sig, err := sigv4.Parse(r)
	if err != nil {
		return authError(c.proto, err)
	}
	spec, ok := e.specs[sig.Service]
	if !ok {
		return service.BadRequest(unknownOpCode(c.proto), "the local AWS does not serve %q (the service in the request's credential scope %s); it serves %s", sig.Service, sig.Scope(), strings.Join(e.serviceNames(), ", "))
	}
	c.spec, c.proto = spec, spec.Protocol

	var decode func(any) error
	switch spec.Protocol {
	case service.JSON:
		target := r.Header.Get("X-Amz-Target")
		prefix, action, ok := strings.Cut(target, ".")
		if !ok || prefix != spec.TargetPrefix || action == "" {
			if target == "" {
				return service.BadRequest("UnknownOperationException", "the X-Amz-Target header is missing; %s takes %s.<Action>", spec.Name, spec.TargetPrefix)
			}
			return service.BadRequest("UnknownOperationException", "unknown operation %q: %s takes X-Amz-Target %s.<Action>", target, spec.Name, spec.TargetPrefix)
		}
		c.action = action
		decode = func(v any) error { return protocol.DecodeJSON(body, v) }
	case service.Query:
		params, err := protocol.ParseQueryParams(r, body)
		if err != nil {
			return err
		}
		c.action = params.Get("Action")
		if c.action == "" {
			return service.BadRequest("MissingAction", "the request has no Action parameter")
		}
		if v := params.Get("Version"); v != spec.APIVersion {
			if v == "" {
				return service.BadRequest("MissingParameter", "The request must contain the parameter Version (%s for %s)", spec.APIVersion, spec.Name)
			}
			return service.BadRequest("InvalidAction", "Could not find operation %s for version %s", c.action, v)
		}
		decode = func(v any) error { return protocol.DecodeQuery(params, v) }
	}
	op, ok := spec.Operations[c.action]
	if !ok {
		if spec.Protocol == service.JSON {
			return service.BadRequest("UnknownOperationException", "The operation %s is not supported by the local AWS's %s (see docs/local-aws.md).", c.action, spec.Name)
		}
		return service.BadRequest("InvalidAction", "Could not find operation %s for version %s", c.action, spec.APIVersion)
	}

	payloadHash := sigv4.PayloadHash(body)
	if h := r.Header.Get("X-Amz-Content-Sha256"); h == sigv4.UnsignedPayload {
		payloadHash = h
	} else if h != "" && !strings.EqualFold(h, payloadHash) {
		return authErr(spec.Protocol, authBadSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}

	if err := e.faults.inject(r.Context(), spec, c.action); err != nil {
		return err
	}

	ctx := r.Context()
	now := e.now().UTC()
	var out any
	run := e.db.Read
	if op.Mutates {
		run = e.db.Write
		if w, ok := e.opts.Authorizer.(writeObserver); ok {
			w.BeginWrite()
			defer w.EndWrite()
		}
	}
	if o, ok := e.opts.Authorizer.(txObserver); ok {
		ctx = o.BeforeTx(ctx)
	}
	wtx := &watchTx{}
	err = run(ctx, func(tx store.Tx) error {
		wtx.Tx = tx
		caller, err := e.authenticate(tx, r, sig, payloadHash, spec.Protocol)
		if err != nil {
			return err
		}
		req := &service.Request{
			Service:    spec.Name,
			Action:     c.action,
			Region:     sig.Region,
			RequestID:  c.id,
			Caller:     caller,
			Now:        now,
			SourceIP:   sourceIP(r),
			Tx:         wtx,
			DecodeFunc: decode,
		}
		if e.opts.Authorizer != nil {
			req.AuthorizeFunc = e.opts.Authorizer.Authorize
		}
		out, err = e.invoke(ctx, c, op.Handler, req)
		return err
	})
	// Invalidate after the transaction ends, committed or not: a reader
	// that filled the cache from an older snapshot in between is refused
	// by the generation check.
	e.auth.invalidate(wtx.keys, wtx.accounts)
	if err != nil {
		return err
	}
	switch spec.Protocol {
	case service.JSON:
		err = protocol.WriteJSON(c.w, out)
	default:
		err = protocol.WriteQuery(c.w, c.action, spec.XMLNamespace, c.id, out)
	}
	if err != nil {
		// The transaction has committed; all we can do is log. Encoding
		// errors are bugs in a service's output types; write errors mean
		// the client went away.
		level := slog.LevelError
		if ctx.Err() != nil {
			level = slog.LevelDebug
		}
		e.log.Log(ctx, level, "local aws: writing response", "request_id", c.id, "service", spec.Name, "action", c.action, "err", err)
	}
	return nil
}

// invoke runs a handler, turning a panic into an internal failure (the
// transaction rolls back) logged with its stack.
func (e *Emulator) invoke(ctx context.Context, c *call, h service.Handler, req *service.Request) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("local aws: handler panicked", "request_id", c.id, "service", req.Service, "action", req.Action, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			out, err = nil, internalFailure()
		}
	}()
	return h(ctx, req)
}

func (e *Emulator) writeError(c *call, se *service.Error) {
	if c.proto == service.JSON {
		protocol.WriteJSONError(c.w, se)
		return
	}
	ns := ""
	if c.spec != nil {
		ns = c.spec.XMLNamespace
	}
	protocol.WriteQueryError(c.w, ns, c.id, se)
}

func unknownOpCode(p service.Protocol) string {
	if p == service.JSON {
		return "UnknownOperationException"
	}
	return "InvalidAction"
}

func (e *Emulator) serviceNames() []string {
	names := make([]string, 0, len(e.specs))
	for n := range e.specs {
		names = append(names, n)
	}
	sortStrings(names)
	return names
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// requestID returns a random UUID (version 4), the form of AWS's request ids.
func (e *Emulator) requestID() string {
	var b [16]byte
	if _, err := io.ReadFull(e.rand, b[:]); err != nil {
		// A broken random source must not fail the request: fall back to
		// the clock, which is unique enough for a request id.
		n := time.Now().UnixNano()
		for i := range b {
			b[i] = byte(n >> (8 * (i % 8)))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexdig = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexdig[x>>4], hexdig[x&15])
	}
	return string(out)
}
