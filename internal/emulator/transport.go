package emulator

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// inProcessAddr is the RemoteAddr of in-process requests: they come from
// this process, so they count as loopback for the admin API.
const inProcessAddr = "127.0.0.1:0"

// Transport returns an http.RoundTripper that hands requests to Handler
// directly, with no socket: bulkhead's own SDK clients reach the local AWS
// through it. Requests are still signed and verified like any other.
func (e *Emulator) Transport() http.RoundTripper { return transport{h: e.Handler()} }

type transport struct{ h http.Handler }

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	sreq := req.Clone(req.Context())
	sreq.Body = io.NopCloser(bytes.NewReader(body))
	sreq.ContentLength = int64(len(body))
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = inProcessAddr
	sreq.Proto, sreq.ProtoMajor, sreq.ProtoMinor = "HTTP/1.1", 1, 1
	rec := &recorder{header: http.Header{}}
	t.h.ServeHTTP(rec, sreq)
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	res := &http.Response{
		Status:        strconv.Itoa(rec.code) + " " + http.StatusText(rec.code),
		StatusCode:    rec.code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.header,
		Body:          io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		ContentLength: int64(rec.body.Len()),
		Request:       req,
	}
	return res, nil
}

// recorder is a minimal http.ResponseWriter buffering the response.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.body.Write(b)
}
