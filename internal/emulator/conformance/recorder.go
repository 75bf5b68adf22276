package conformance

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Checker records the responses passing through its RoundTripper and
// checks each against the model of its service. It is safe for concurrent
// use.
type Checker struct {
	models map[string]*Model // by signing name

	mu         sync.Mutex
	violations []Violation
	calls      map[string]int // "service:Operation" → responses checked
}

// NewChecker loads the models of services (signing names equal botocore's
// directory names for organizations, iam and sts).
func NewChecker(services ...string) (*Checker, error) {
	c := &Checker{models: map[string]*Model{}, calls: map[string]int{}}
	for _, s := range services {
		m, err := LoadModel(s)
		if err != nil {
			return nil, err
		}
		allowSDKNewer(s, m)
		c.models[s] = m
	}
	return c, nil
}

// Model returns the loaded model of service.
func (c *Checker) Model(service string) *Model { return c.models[service] }

// Wrap returns a RoundTripper that checks every response of next.
func (c *Checker) Wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		var reqBody []byte
		if req.Body != nil {
			reqBody, _ = io.ReadAll(req.Body)
			req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		res, err := next.RoundTrip(req)
		if err != nil {
			return res, err
		}
		body, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(body))
		if rerr != nil {
			return res, nil
		}
		c.check(req, reqBody, res, body)
		return res, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (c *Checker) check(req *http.Request, reqBody []byte, res *http.Response, body []byte) {
	service := scopeService(req.Header.Get("Authorization"))
	m := c.models[service]
	if m == nil {
		return
	}
	var op, code string
	switch m.Metadata.Protocol {
	case "json":
		_, op, _ = strings.Cut(req.Header.Get("X-Amz-Target"), ".")
		if res.StatusCode >= 300 {
			code = res.Header.Get("X-Amzn-ErrorType")
			if code == "" {
				var e struct {
					Type string `json:"__type"`
				}
				_ = json.Unmarshal(body, &e)
				code = e.Type
			}
		}
	case "query":
		form, _ := url.ParseQuery(string(reqBody))
		if op = form.Get("Action"); op == "" {
			op = req.URL.Query().Get("Action")
		}
		if res.StatusCode >= 300 {
			var e struct {
				Error struct{ Code string }
			}
			_ = xml.Unmarshal(body, &e)
			code = e.Error.Code
		}
	}
	v := m.CheckResponse(service, op, res.StatusCode, body, code)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[service+":"+op]++
	c.violations = append(c.violations, v...)
}

// scopeService is the service of a SigV4 Authorization header's credential
// scope.
func scopeService(auth string) string {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ := strings.Cut(rest, ",")
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}

// Violations returns the departures from the model found so far,
// deduplicated and sorted.
func (c *Checker) Violations() []string { return c.list(false) }

// Newer returns the members, enum values and operations the installed
// model does not know, deduplicated and sorted.
func (c *Checker) Newer() []string { return c.list(true) }

func (c *Checker) list(newer bool) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, v := range c.violations {
		if v.Newer != newer {
			continue
		}
		v.Path = indexRE.ReplaceAllString(v.Path, "[]")
		s := v.String()
		if _, known := KnownDeviations[s]; known && !newer {
			continue
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// KnownDeviations are places where AWS itself departs from its model, and
// the local AWS follows AWS; the value says why.
var KnownDeviations = map[string]string{
	"iam:GetUser: User.UserName: required member missing":                               "GetUser called by the root user returns only UserId, Arn and CreateDate (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUser.html: \"If you do not specify a user name, IAM determines the user name implicitly based on the AWS access key ID\"; for root there is none)",
	"iam:GetUser: User.Path: required member missing":                                   "as above: no Path for the root user",
	"iam:GetAccessKeyLastUsed: AccessKeyLastUsed.LastUsedDate: required member missing": "a key never used has no LastUsedDate; AWS returns ServiceName and Region N/A (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AccessKeyLastUsed.html)",
}

// indexRE generalizes list indices so that one problem is reported once.
var indexRE = regexp.MustCompile(`\[\d+\]|\{\d+\}`)

// Calls returns how many responses of each "service:Operation" were
// checked.
func (c *Checker) Calls() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

// Report is a one-line summary for test logs.
func (c *Checker) Report() string {
	calls := c.Calls()
	n := 0
	for _, v := range calls {
		n += v
	}
	return fmt.Sprintf("checked %d responses of %d operations; %d violations; %d things newer than the installed models", n, len(calls), len(c.Violations()), len(c.Newer()))
}
