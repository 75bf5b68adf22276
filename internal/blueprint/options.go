package blueprint

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// The blueprints Generate knows, in the order `bulkhead init --help` lists them.
const (
	Startup       = "startup"
	BusinessUnits = "business-units"
	Minimal       = "minimal"
)

// Names lists the blueprints.
func Names() []string { return []string{Startup, BusinessUnits, Minimal} }

// Defaults applied by Options.normalize when a field is empty. They are
// documented in `bulkhead init --help` and in the generated file's header.
var (
	// DefaultStartupStages are the staging stages of the startup blueprint:
	// the two seed 000 names first ("preprod", "qa"); uat is one flag away.
	defaultStartupStages = []string{"preprod", "qa"}
	// DefaultBusinessUnitStages: seed 002's three delivery phases are
	// dev, stage and prod; "stage" is the one staging phase.
	defaultBusinessUnitStages = []string{"stage"}
	// DefaultBusinessUnits: seed 002's example company has a Retail and a
	// Business Intelligence unit.
	defaultBusinessUnits = []string{"retail", "bi"}
)

// DefaultName is the organization name used when neither a name nor a domain
// is given.
const DefaultName = "acme"

// Options choose and parameterize a blueprint. Field names match the flags of
// `bulkhead init` (FieldError.Field names the flag).
type Options struct {
	Blueprint string // startup | business-units | minimal; default startup
	// Name is the organization's name ([a-z0-9-]); default: the first label
	// of Domain, or "acme".
	Name string
	// Domain receives the account emails (aws@DOMAIN, aws+ACCOUNT@DOMAIN);
	// default NAME.example (RFC 2606: never a real mailbox).
	Domain string
	// Developers each get a sandbox account (startup, business-units) and
	// join the engineers group.
	Developers []string
	// Stages are the staging stages: in startup one account each; in
	// business-units the staging phases of every unit. nil means the
	// blueprint's default; minimal has none and rejects them.
	Stages []string
	// BusinessUnits are the units of the business-units blueprint; nil means
	// the default (retail, bi). Other blueprints reject them.
	BusinessUnits []string
}

// FieldError is a problem with one option. Field is the flag's name without
// dashes ("developers"), so the CLI can say "--developers: ...".
type FieldError struct {
	Field string
	Value string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("--%s: %s", e.Field, e.Msg)
	}
	return fmt.Sprintf("--%s %q: %s", e.Field, e.Value, e.Msg)
}

// Errors is every problem with the options at once.
type Errors []*FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

var (
	// fragment is a piece of an account name: lowercase letters, digits and
	// inner hyphens, as the layout file's account names are [a-z0-9-].
	fragment = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`) })
	// domainRE is a lowercase DNS name with at least two labels.
	domainRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
	})
)

// Limits from the layout format and AWS.
const (
	maxAccountName = 50 // layout format: account names are [a-z0-9-]{1,50}
	// maxEmail is CreateAccount's Email length limit (6..64 characters),
	// https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html
	maxEmail = 64
)

// fixedAccounts are the account names every blueprint may use for its own
// accounts; stages and units cannot take them.
var fixedAccounts = []string{"management", "security", "log-archive", "shared-services", "prod", "dev"}

// normalize applies defaults and checks every option, returning all problems.
func (o Options) normalize() (Options, error) {
	var errs Errors
	add := func(field, value, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Value: value, Msg: fmt.Sprintf(format, args...)})
	}
	if o.Blueprint == "" {
		o.Blueprint = Startup
	}
	if !slices.Contains(Names(), o.Blueprint) {
		add("blueprint", o.Blueprint, "unknown blueprint; want one of %s", strings.Join(Names(), ", "))
		return o, errs
	}
	if o.Domain != "" && !domainRE().MatchString(o.Domain) {
		add("domain", o.Domain, "not a lowercase domain name such as acme.example")
	}
	if o.Name == "" {
		o.Name = DefaultName
		if o.Domain != "" {
			o.Name = strings.SplitN(o.Domain, ".", 2)[0]
		}
	} else if !fragment().MatchString(o.Name) {
		add("name", o.Name, "use lowercase letters, digits and inner hyphens, such as acme")
	}
	if o.Domain == "" {
		o.Domain = o.Name + ".example"
	}

	o.Developers = checkList(o.Developers, "developers", "sandbox-", add)
	switch o.Blueprint {
	case Startup:
		if o.Stages == nil {
			o.Stages = defaultStartupStages
		}
		if o.BusinessUnits != nil {
			add("business-units", "", "only the business-units blueprint has business units")
		}
	case BusinessUnits:
		if o.Stages == nil {
			o.Stages = defaultBusinessUnitStages
		}
		if o.BusinessUnits == nil {
			o.BusinessUnits = defaultBusinessUnits
		}
		if len(o.BusinessUnits) == 0 {
			add("business-units", "", "name at least one business unit, such as retail")
		}
	case Minimal:
		if len(o.Stages) > 0 {
			add("stages", strings.Join(o.Stages, ","), "the minimal blueprint has no staging accounts; use --blueprint startup")
		}
		if o.BusinessUnits != nil {
			add("business-units", "", "only the business-units blueprint has business units")
		}
	}
	o.Stages = checkList(o.Stages, "stages", "", add)
	o.BusinessUnits = checkList(o.BusinessUnits, "business-units", "", add)
	for _, s := range o.Stages {
		if reason := reservedStage(o.Blueprint, s); reason != "" {
			add("stages", s, "%s", reason)
		}
	}
	for _, u := range o.BusinessUnits {
		if u == "sandbox" {
			add("business-units", u, "its accounts would collide with the sandbox-{developer} accounts; choose another name")
		}
	}
	if len(errs) > 0 {
		return o, errs
	}
	// Names valid one by one may still collide once combined into account
	// names, or make an email AWS refuses.
	if err := checkAccounts(o); err != nil {
		return o, err
	}
	return o, nil
}

// checkList checks the names of one list flag: each a valid account-name
// fragment that still fits an account name after prefix, no duplicates.
// It returns the list unchanged (order is the user's and is kept).
func checkList(names []string, field, prefix string, add func(field, value, format string, args ...any)) []string {
	seen := map[string]bool{}
	for _, n := range names {
		switch {
		case n == "":
			add(field, "", "empty name in the list (check for a stray comma)")
		case !fragment().MatchString(n):
			add(field, n, "not a valid name: use lowercase letters, digits and inner hyphens (it becomes part of an account name)")
		case len(prefix)+len(n) > maxAccountName:
			add(field, n, "too long: the account name %s%s would exceed %d characters", prefix, n, maxAccountName)
		case seen[n]:
			add(field, n, "listed twice")
		}
		seen[n] = true
	}
	return names
}

// reservedStage says why a staging stage name cannot be used, or "".
func reservedStage(bp, s string) string {
	switch bp {
	case Startup:
		if s == "prod" || s == "production" {
			return "production is not a staging stage: it has its own account and rule"
		}
		for _, p := range []string{"feature-", "hotfix-", "pr-", "sandbox-"} {
			if strings.HasPrefix(s, p) {
				return fmt.Sprintf("stages starting with %q route to the shared development account or a sandbox; choose another name", p)
			}
		}
		if slices.Contains(fixedAccounts, s) {
			return "the blueprint already has an account with this name; choose another"
		}
	case BusinessUnits:
		if s == "dev" || s == "prod" {
			return "dev and prod are already delivery phases of every business unit"
		}
	}
	return ""
}

// checkAccounts reports account names that two options produce alike, and
// emails longer than AWS allows.
func checkAccounts(o Options) error {
	var errs Errors
	origin := map[string]string{} // account name -> what produced it
	for _, a := range accountNames(o) {
		if len(a.name) > maxAccountName {
			errs = append(errs, &FieldError{Field: a.field, Value: a.value,
				Msg: fmt.Sprintf("too long: the account name %s would exceed %d characters", a.name, maxAccountName)})
			continue
		}
		if prev, ok := origin[a.name]; ok && prev != a.origin {
			errs = append(errs, &FieldError{Field: a.field, Value: a.value,
				Msg: fmt.Sprintf("makes account %q, which %s also makes; choose another name", a.name, prev)})
			continue
		}
		origin[a.name] = a.origin
	}
	longest := ""
	for name := range origin {
		if len(name) > len(longest) || (len(name) == len(longest) && name < longest) {
			longest = name
		}
	}
	if e := "aws+" + longest + "@" + o.Domain; len(e) > maxEmail {
		errs = append(errs, &FieldError{Field: "domain", Value: o.Domain,
			Msg: fmt.Sprintf("the email %s would be %d characters; AWS accepts at most %d (CreateAccount Email)", e, len(e), maxEmail)})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

type accountOrigin struct {
	name, origin string
	field, value string // the flag and value to blame on a collision
}

// accountNames lists every account a blueprint makes, sandboxes expanded.
func accountNames(o Options) []accountOrigin {
	var out []accountOrigin
	fixed := func(n string) { out = append(out, accountOrigin{n, "the blueprint", "blueprint", o.Blueprint}) }
	fixed("management")
	switch o.Blueprint {
	case Startup:
		fixed("security")
		fixed("shared-services")
		fixed("prod")
		fixed("dev")
		for _, s := range o.Stages {
			out = append(out, accountOrigin{s, "--stages " + s, "stages", s})
		}
	case BusinessUnits:
		fixed("security")
		fixed("log-archive")
		fixed("shared-services")
		for _, u := range o.BusinessUnits {
			for _, p := range businessUnitPhases(o) {
				out = append(out, accountOrigin{u + "-" + p.name, "--business-units " + u, "business-units", u})
			}
		}
	case Minimal:
		fixed("prod")
		fixed("dev")
	}
	if o.Blueprint != Minimal {
		for _, d := range o.Developers {
			out = append(out, accountOrigin{"sandbox-" + d, "--developers " + d, "developers", d})
		}
	}
	return out
}
