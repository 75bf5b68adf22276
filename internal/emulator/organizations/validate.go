package organizations

import (
	"regexp"
	"sync"
	"unicode/utf8"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Patterns and lengths of the request members, from the AWS Organizations
// API Reference (Request Parameters of each action).
var (
	accountIDPattern   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{12}$`) })
	rootIDPattern      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^r-[0-9a-z]{4,32}$`) })
	ouIDPattern        = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`) })
	policyIDPattern    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`) })
	carIDPattern       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^car-[a-z0-9]{8,32}$`) })
	emailPattern       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`) })
	accountNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\x{0020}-\x{007E}]+$`) })
	roleNamePattern    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]{1,64}$`) })
	principalPattern   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]+$`) })
)

// field checks one request member. Each method records the first
// problem only; err returns it.
type field struct {
	err *service.Error
}

func (f *field) fail(e *service.Error) {
	if f.err == nil {
		f.err = e
	}
}

// required: a missing required member.
func (f *field) required(name string, v *string) string {
	if v == nil {
		f.fail(invalid("INPUT_REQUIRED", "You must specify a value for %s.", name))
		return ""
	}
	return *v
}

// length checks minimum and maximum lengths in characters (max 0: none).
func (f *field) length(name, v string, min, max int) {
	n := utf8.RuneCountInString(v)
	switch {
	case n < min:
		f.fail(invalid("MIN_LENGTH_EXCEEDED", "%s must be at least %d characters long.", name, min))
	case max > 0 && n > max:
		f.fail(invalid("MAX_LENGTH_EXCEEDED", "%s must be at most %d characters long.", name, max))
	}
}

// pattern checks v against re; reason is INVALID_PATTERN or a more
// specific one such as INVALID_PATTERN_TARGET_ID.
func (f *field) pattern(name, v string, reason string, res ...*regexp.Regexp) {
	for _, re := range res {
		if re.MatchString(v) {
			return
		}
	}
	f.fail(invalid(reason, "%s %q does not match the required pattern.", name, v))
}

func (f *field) id(name string, v *string, reason string, res ...*regexp.Regexp) string {
	s := f.required(name, v)
	if v != nil {
		f.pattern(name, s, reason, res...)
	}
	return s
}

func (f *field) accountID(name string, v *string) string {
	return f.id(name, v, "INVALID_PATTERN", accountIDPattern())
}

func (f *field) parentID(name string, v *string) string {
	return f.id(name, v, "INVALID_PATTERN", rootIDPattern(), ouIDPattern())
}

func (f *field) targetID(name string, v *string) string {
	return f.id(name, v, "INVALID_PATTERN_TARGET_ID", rootIDPattern(), ouIDPattern(), accountIDPattern())
}

func (f *field) policyID(name string, v *string) string {
	return f.id(name, v, "INVALID_SYNTAX_POLICY_ID", policyIDPattern())
}

// policyType checks a PolicyType enum value.
func (f *field) policyType(name, v string) {
	if v == "" {
		f.fail(invalid("INPUT_REQUIRED", "You must specify a value for %s.", name))
		return
	}
	if _, ok := policyTypes[v]; !ok {
		f.fail(invalid("INVALID_ENUM_POLICY_TYPE", "%s %q is not a valid policy type.", name, v))
	}
}

func (f *field) enum(name, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	f.fail(invalid("INVALID_ENUM", "%s %q must be one of %v.", name, v, allowed))
}

func (f *field) tags(ts []tagIn) {
	seen := map[string]bool{}
	for _, t := range ts {
		k := f.required("Tags.Key", t.Key)
		f.length("Tags.Key", k, 1, 128)
		f.required("Tags.Value", t.Value)
		if t.Value != nil {
			f.length("Tags.Value", *t.Value, 0, 256)
		}
		if seen[k] {
			f.fail(invalid("DUPLICATE_TAG_KEY", "Duplicate tag key %q.", k))
		}
		seen[k] = true
	}
}

// check returns the first problem, or nil; it returns a plain error so
// handlers can write `if err := f.check(); err != nil`.
func (f *field) check() error {
	if f.err == nil {
		return nil
	}
	return f.err
}

// policyTypes are the PolicyType enum values; effective is whether
// DescribeEffectivePolicy supports them (EffectivePolicyType).
var policyTypes = map[string]struct{ effective bool }{
	"SERVICE_CONTROL_POLICY":           {},
	"RESOURCE_CONTROL_POLICY":          {},
	"TAG_POLICY":                       {effective: true},
	"BACKUP_POLICY":                    {effective: true},
	"AISERVICES_OPT_OUT_POLICY":        {effective: true},
	"CHATBOT_POLICY":                   {effective: true},
	"DECLARATIVE_POLICY_EC2":           {effective: true},
	"SECURITYHUB_POLICY":               {effective: true},
	"INSPECTOR_POLICY":                 {effective: true},
	"UPGRADE_ROLLOUT_POLICY":           {effective: true},
	"BEDROCK_POLICY":                   {effective: true},
	"S3_POLICY":                        {effective: true},
	"NETWORK_SECURITY_DIRECTOR_POLICY": {effective: true},
	"GUARDDUTY_POLICY":                 {effective: true},
}
