// Package sigv4 verifies AWS Signature Version 4 on incoming requests, in
// the Authorization header or in a presigned query string, as specified in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-query-string-auth.html.
//
// It parses the signature, rebuilds the canonical request from what the
// server received, and compares signatures in constant time. It does not
// look up credentials, check clock skew policy or render errors: the
// emulator's front end does that with the *Signature this package returns.
// Secrets passed to it are never logged or put into errors.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Algorithm is the only signing algorithm accepted.
const Algorithm = "AWS4-HMAC-SHA256"

// TimeFormat is the layout of X-Amz-Date.
const TimeFormat = "20060102T150405Z"

// UnsignedPayload is the X-Amz-Content-Sha256 value for unsigned bodies.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// ErrMissing means the request carries no signature at all.
var ErrMissing = errors.New("request is not signed")

// MalformedError is a signature that cannot be parsed (AWS's
// IncompleteSignature); its message names what is wrong and never contains
// secrets.
type MalformedError struct{ Msg string }

func (e *MalformedError) Error() string { return e.Msg }

func malformed(format string, args ...any) error {
	return &MalformedError{Msg: fmt.Sprintf(format, args...)}
}

// Signature is a parsed SigV4 signature.
type Signature struct {
	AccessKeyID string
	Date        string // scope date, YYYYMMDD
	Region      string
	Service     string
	// SignedHeaders are the lower-case header names, in the order given.
	SignedHeaders []string
	Signature     string // hex
	// Time is X-Amz-Date (or the Date header).
	Time time.Time
	// SecurityToken is X-Amz-Security-Token (temporary credentials).
	SecurityToken string
	// Presigned is true for query-string authentication; Expires is then
	// X-Amz-Expires.
	Presigned bool
	Expires   time.Duration
}

// Scope is the credential scope "date/region/service/aws4_request".
func (s *Signature) Scope() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/aws4_request"
}

// Parse extracts the signature from the Authorization header or, failing
// that, from presigned query parameters. It returns ErrMissing when there
// is neither and a *MalformedError when what is there is incomplete.
func Parse(r *http.Request) (*Signature, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return parseHeader(r, auth)
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != "" || q.Get("X-Amz-Signature") != "" || q.Get("X-Amz-Credential") != "" {
		return parseQuery(q)
	}
	return nil, ErrMissing
}

func parseHeader(r *http.Request, auth string) (*Signature, error) {
	alg, rest, ok := strings.Cut(auth, " ")
	if !ok || alg != Algorithm {
		return nil, malformed("Authorization header: unsupported algorithm %q; only %s is accepted", firstWord(auth), Algorithm)
	}
	s := &Signature{}
	var cred, signed string
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, malformed("Authorization header: %q is not key=value", strings.TrimSpace(part))
		}
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			s.Signature = v
		}
	}
	switch {
	case cred == "":
		return nil, malformed("Authorization header requires 'Credential' parameter.")
	case signed == "":
		return nil, malformed("Authorization header requires 'SignedHeaders' parameter.")
	case s.Signature == "":
		return nil, malformed("Authorization header requires 'Signature' parameter.")
	}
	if err := s.parseCredential(cred); err != nil {
		return nil, err
	}
	s.SignedHeaders = strings.Split(signed, ";")
	s.SecurityToken = r.Header.Get("X-Amz-Security-Token")
	date := r.Header.Get("X-Amz-Date")
	var err error
	if date != "" {
		s.Time, err = time.Parse(TimeFormat, date)
	} else if d := r.Header.Get("Date"); d != "" {
		s.Time, err = http.ParseTime(d)
	} else {
		return nil, malformed("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if err != nil {
		return nil, malformed("X-Amz-Date %q is not a timestamp like 20060102T150405Z", date)
	}
	return s, nil
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}

func parseQuery(q url.Values) (*Signature, error) {
	if alg := q.Get("X-Amz-Algorithm"); alg != Algorithm {
		return nil, malformed("X-Amz-Algorithm %q: only %s is accepted", alg, Algorithm)
	}
	s := &Signature{Presigned: true, Signature: q.Get("X-Amz-Signature"), SecurityToken: q.Get("X-Amz-Security-Token")}
	for _, p := range []string{"X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date"} {
		if q.Get(p) == "" {
			return nil, malformed("AWS query-string parameters must include %s.", p)
		}
	}
	if err := s.parseCredential(q.Get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	s.SignedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	var err error
	if s.Time, err = time.Parse(TimeFormat, q.Get("X-Amz-Date")); err != nil {
		return nil, malformed("X-Amz-Date %q is not a timestamp like 20060102T150405Z", q.Get("X-Amz-Date"))
	}
	// X-Amz-Expires is optional outside S3 (aws-sdk-go-v2's presigner
	// omits it unless asked); without it a URL lives 15 minutes.
	exp := q.Get("X-Amz-Expires")
	if exp == "" {
		exp = "900"
	}
	secs, err := strconv.Atoi(exp)
	if err != nil || secs < 0 || secs > 604800 {
		return nil, malformed("X-Amz-Expires %q must be a number of seconds from 0 to 604800", q.Get("X-Amz-Expires"))
	}
	s.Expires = time.Duration(secs) * time.Second
	return s, nil
}

func (s *Signature) parseCredential(cred string) error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" {
		return malformed("Credential %q must be <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request", redactKeyID(cred))
	}
	if _, err := time.Parse("20060102", parts[1]); err != nil {
		return malformed("Credential date %q must be YYYYMMDD", parts[1])
	}
	s.AccessKeyID, s.Date, s.Region, s.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// redactKeyID keeps a credential string printable in errors; access key
// ids are not secret, but a malformed credential might be anything.
func redactKeyID(cred string) string {
	if len(cred) > 128 {
		return cred[:128] + "…"
	}
	return cred
}

// PayloadHash returns the hex SHA-256 of body.
func PayloadHash(body []byte) string {
	h := sha256.Sum256(body)
	return hex.EncodeToString(h[:])
}

// Verify reports whether s is a valid signature of r, whose body hashed to
// payloadHash (hex SHA-256, or UNSIGNED-PAYLOAD when the client declared it),
// made with secret. keys caches derived signing keys and may be nil.
func (s *Signature) Verify(r *http.Request, payloadHash, secret string, keys *KeyCache) bool {
	creq := CanonicalRequest(r, s, payloadHash)
	key := keys.Key(secret, s.Date, s.Region, s.Service)
	sum := sha256.Sum256([]byte(creq))
	sts := Algorithm + "\n" + s.Time.UTC().Format(TimeFormat) + "\n" + s.Scope() + "\n" + hex.EncodeToString(sum[:])
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(sts))
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(strings.ToLower(s.Signature)))
}

// CanonicalRequest builds the canonical request of r for signature s.
func CanonicalRequest(r *http.Request, s *Signature, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(escape(path, true))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery, s.Presigned))
	b.WriteByte('\n')
	for _, h := range s.SignedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(headerValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(s.SignedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		if r.Host != "" {
			return r.Host
		}
		return r.URL.Host
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		if r.ContentLength >= 0 {
			return strconv.FormatInt(r.ContentLength, 10)
		}
	}
	vals := r.Header.Values(name)
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

func canonicalQuery(raw string, presigned bool) string {
	if raw == "" {
		return ""
	}
	q, _ := url.ParseQuery(raw)
	if presigned {
		delete(q, "X-Amz-Signature")
	}
	type pair struct{ k, v string }
	pairs := make([]pair, 0, len(q))
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, pair{escape(k, false), escape(v, false)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// escape percent-encodes every byte except the RFC 3986 unreserved
// characters (and '/' when keepSlash), upper-case hex, as SigV4 requires.
func escape(s string, keepSlash bool) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&15])
	}
	return b.String()
}

// KeyCache caches derived signing keys per secret, date, region and
// service, so that verifying a request costs one HMAC chain per key and day
// instead of per request. It is safe for concurrent use; the zero value and
// a nil *KeyCache are usable (nil caches nothing).
type KeyCache struct {
	mu   sync.Mutex
	keys map[keyID][]byte
}

type keyID struct{ secret, date, region, service string }

// maxCachedKeys bounds the cache; when full it is emptied (keys are cheap
// to rederive, and a bound keeps memory flat under many session keys).
const maxCachedKeys = 4096

// Key returns the signing key for the scope.
func (c *KeyCache) Key(secret, date, region, service string) []byte {
	id := keyID{secret, date, region, service}
	if c != nil {
		c.mu.Lock()
		k, ok := c.keys[id]
		c.mu.Unlock()
		if ok {
			return k
		}
	}
	k := DeriveKey(secret, date, region, service)
	if c != nil {
		c.mu.Lock()
		if c.keys == nil || len(c.keys) >= maxCachedKeys {
			c.keys = make(map[keyID][]byte)
		}
		c.keys[id] = k
		c.mu.Unlock()
	}
	return k
}

// DeriveKey computes the SigV4 signing key.
func DeriveKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
