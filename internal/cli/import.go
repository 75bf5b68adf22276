package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

type importOptions struct {
	target, region string
	force          bool
}

// importResult is what `bulkhead import --output json` prints.
type importResult struct {
	Organization string   `json:"organization"`
	Files        []string `json:"files"`
	Units        int      `json:"units"`
	Accounts     int      `json:"accounts"`
	Policies     int      `json:"policies"`
	// Review lists the guesses marked "# review:" in the file.
	Review []string `json:"review"`
	// Calls is the number of API requests the read took.
	Calls int `json:"calls"`
}

func (a *App) newImportCmd() *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Write a layout file from an existing organization",
		Long: `import reads a live AWS Organization (the local AWS by default, real AWS with
--target aws) and writes a layout file (bulkhead.yaml, or the -f file) and one
policies/NAME.json per customer-managed policy, next to it, such that
` + "`bulkhead plan`" + ` then shows nothing to change (but see below).

It writes the organizational units, the accounts with their unit, email and
tags, and the policies with their attachments. Each account's kind comes from
its bulkhead:kind tag when it has one; otherwise it is guessed from its name
and tags (prod, production: production; stag, stage, preprod, qa, uat:
staging; dev: development; sandbox: sandbox; security, audit, log: security;
shared, network, tooling: shared; the management account: management) and the
line is marked "# review: kind guessed ...". Read those lines before applying:
the kind decides guardrails and what the playbook checks. An account with no
bulkhead:kind tag gets one at the first apply, which plan shows as a tag
change.

Left out, with a comment in the file: AWS-managed policies (FullAWSAccess is
implied everywhere), policy types the layout cannot express, closed accounts,
and OU or root tags. Account names the layout does not accept (it wants lower
case letters, digits and hyphens) are rewritten and marked for review.

import never overwrites a file unless --force is given: when any file it would
write exists, it writes none of them. It only reads the organization.`,
		Example: `  bulkhead import
  bulkhead import -f imported.yaml
  bulkhead import --target aws --profile management --region eu-west-1
  bulkhead import --force && bulkhead plan`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runImport(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.target, "target", string(layout.TargetLocal), "where the organization is: local or aws")
	f.StringVar(&o.region, "region", layout.DefaultRegion, "the AWS `REGION` to call and to write in the layout")
	f.BoolVar(&o.force, "force", false, "overwrite files that already exist")
	a.addProfileFlag(cmd)
	return cmd
}

func (a *App) runImport(cmd *cobra.Command, o importOptions) error {
	target := layout.Target(o.target)
	if target != layout.TargetLocal && target != layout.TargetAWS {
		return fmt.Errorf("--target %q: want local or aws", o.target)
	}
	if dir := a.localStateDir(); target == layout.TargetLocal && !hasState(dir) {
		return &ExitError{Code: 1, Message: fmt.Sprintf("import: no local AWS state in %s, so no organization to import (bulkhead init writes a new layout, bulkhead apply creates its organization)", dir)}
	}
	l := &layout.Layout{}
	l.Organization.Target.Value = target
	l.Organization.Region.Value = o.region
	p, closer, err := a.openProvider(cmd.Context(), l)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer closer.Close()
	live, err := p.Read(cmd.Context())
	if errors.Is(err, provider.ErrNoOrganization) {
		return &ExitError{Code: 1, Message: fmt.Sprintf("import: the %s target has no organization; nothing to import (bulkhead init writes a new layout, bulkhead apply creates its organization)", target)}
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}

	doc := renderImport(live, target, o.region)
	layoutShown := a.File
	files := []plannedFile{{shown: layoutShown, path: a.Path(layoutShown), data: doc.layout}}
	for _, name := range sortedKeys(doc.policies) {
		shown := filepath.Join(filepath.Dir(layoutShown), "policies", name)
		files = append(files, plannedFile{shown: shown, path: a.Path(shown), data: doc.policies[name]})
	}
	var exists []string
	for _, f := range files {
		switch _, err := os.Stat(f.path); {
		case err == nil:
			exists = append(exists, f.shown)
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("import: %w", err)
		}
	}
	if len(exists) > 0 && !o.force {
		for _, p := range exists {
			fmt.Fprintf(a.Err, "bulkhead import: %s already exists\n", p)
		}
		fmt.Fprintln(a.Err, "    hint: nothing was written; pass --force to overwrite, or -f/-C to write elsewhere")
		return &ExitError{Code: 1}
	}
	if err := writeAll(files); err != nil {
		return fmt.Errorf("import: %w", err)
	}

	res := importResult{Organization: live.ID, Units: len(live.Units), Accounts: doc.accounts, Policies: len(doc.policies),
		Review: nonNil(doc.review), Calls: p.Calls().Total()}
	for _, f := range files {
		res.Files = append(res.Files, filepath.ToSlash(f.shown))
	}
	return a.Render(res, func(w io.Writer) error {
		fmt.Fprintf(w, "Imported organization %s (%s, %s, %s; %d API requests):\n",
			res.Organization, plural(res.Units, "unit"), plural(res.Accounts, "account"), policies(res.Policies), res.Calls)
		for _, f := range res.Files {
			fmt.Fprintf(w, "  %s\n", f)
		}
		if len(res.Review) > 0 {
			fmt.Fprintf(w, "\nReview %d guesses (marked \"# review:\" in %s):\n", len(res.Review), layoutShown)
			for _, r := range res.Review {
				fmt.Fprintf(w, "  %s\n", r)
			}
		}
		fmt.Fprintln(w, "\nNext:\n  bulkhead validate && bulkhead plan")
		return nil
	})
}

// importDoc is the imported layout: the file, the policy files by file
// name, and the guesses to review.
type importDoc struct {
	layout   []byte
	policies map[string][]byte
	review   []string
	accounts int
}

// kindWords maps words found in account names and tag values to kinds, in
// the order they are tried: staging words before production ones, so that
// "preprod" is staging.
var kindWords = []struct {
	kind  layout.Kind
	words []string
}{
	{layout.KindStaging, []string{"stag", "stage", "staging", "preprod", "pre-prod", "qa", "uat"}},
	{layout.KindSandbox, []string{"sandbox", "sbx", "playground"}},
	{layout.KindSecurity, []string{"security", "audit", "log", "logs", "logging", "archive"}},
	{layout.KindShared, []string{"shared", "network", "networking", "tooling", "infra", "infrastructure"}},
	{layout.KindProduction, []string{"prod", "production", "prd"}},
	{layout.KindDevelopment, []string{"dev", "develop", "development", "nonprod"}},
}

// kindTagKeys are tag keys whose value often names an environment.
var kindTagKeys = []string{"environment", "env", "stage", "tier", "kind"}

// guessKind returns the account's kind and, when it is a guess, what it
// was guessed from. The management account and accounts with a valid
// bulkhead:kind tag (Kind, as the provider reads it) are not guesses.
// Unguessable accounts are production: the strictest kind, to be relaxed
// by a person rather than the reverse.
func guessKind(a *org.Account, management bool) (kind layout.Kind, from string) {
	if management {
		return layout.KindManagement, ""
	}
	for _, k := range layout.Kinds {
		if string(k) == a.Kind && k != layout.KindManagement {
			return k, ""
		}
	}
	match := func(s string) (layout.Kind, bool) {
		tokens := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !(r >= 'a' && r <= 'z') })
		joined := strings.ToLower(s)
		for _, kw := range kindWords {
			for _, w := range kw.words {
				for _, t := range tokens {
					if t == w || (w == "stag" && strings.HasPrefix(t, w)) {
						return kw.kind, true
					}
				}
				if strings.Contains(w, "-") && strings.Contains(joined, w) {
					return kw.kind, true
				}
			}
		}
		return "", false
	}
	for _, key := range kindTagKeys {
		for k, v := range a.Tags {
			if strings.EqualFold(k, key) {
				if kind, ok := match(v); ok {
					return kind, fmt.Sprintf("tag %s=%s", k, v)
				}
			}
		}
	}
	if kind, ok := match(a.Name); ok {
		return kind, fmt.Sprintf("name %q", a.Name)
	}
	return layout.KindProduction, fmt.Sprintf("nothing: name %q says no kind, so production, the strictest", a.Name)
}

var (
	importAccountNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$`) })
	importUnitElemRe    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$`) })
	nonNameRe           = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9]+`) })
	policyFileRe        = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9._-]+`) })
	plainScalarRe       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_/][A-Za-z0-9 ._/@+-]*$`) })
)

// layoutName is the account's name in the layout: AWS's, or a lower-case
// rewrite when the layout would not accept it.
func layoutName(name string) string {
	if importAccountNameRe().MatchString(name) {
		return name
	}
	s := strings.Trim(nonNameRe().ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 50 {
		s = strings.TrimRight(s[:50], "-")
	}
	if s == "" {
		s = "account"
	}
	return s
}

// yq quotes s for YAML when it is not a safe plain scalar.
func yq(s string) string {
	switch strings.ToLower(s) {
	case "", "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~":
		return strconv.Quote(s)
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil || !plainScalarRe().MatchString(s) || strings.HasSuffix(s, " ") {
		return strconv.Quote(s)
	}
	return s
}

// renderImport writes the layout for a live organization.
func renderImport(live *org.Org, target layout.Target, region string) importDoc {
	doc := importDoc{policies: map[string][]byte{}}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	review := func(what, note string) string {
		doc.review = append(doc.review, what+": "+note)
		return "  # review: " + note
	}

	// Names in the layout, by live name; a rewrite that collides gets the
	// account id appended.
	names := map[string]string{}
	used := map[string]bool{}
	var members, closed []string
	for _, n := range live.SortedAccountNames() {
		a := live.Accounts[n]
		if closing(a.Status) && n != live.ManagementAccount {
			closed = append(closed, fmt.Sprintf("%s (%s, %s)", n, a.ID, a.Status))
			continue
		}
		ln := layoutName(n)
		if used[ln] {
			ln = layoutName(ln + "-" + a.ID)
		}
		used[ln], names[n] = true, ln
		if n != live.ManagementAccount {
			members = append(members, n)
		}
	}
	mgmt := live.Accounts[live.ManagementAccount]

	line("# bulkhead.yaml: imported by `bulkhead import` from organization %s", live.ID)
	line("# (management account %s). Lines marked \"# review:\" are guesses: check them,", live.ManagementAccountID)
	line("# then run `bulkhead validate && bulkhead plan`.")
	line("version: 1")
	line("")
	line("organization:")
	line("  name: %s", yq(orgName(mgmt)))
	line("  target: %s", target)
	line("  region: %s", yq(region))
	if mgmt != nil {
		line("  management:")
		line("    account: %s", yq(names[mgmt.Name]))
		line("    email: %s", yq(mgmt.Email))
	}
	template := emailTemplate(live, members, names)
	if template != "" {
		line("  email: %s", strconv.Quote(template))
	}

	if len(live.Units) > 0 {
		line("")
		line("units:")
		for _, p := range live.SortedUnitPaths() {
			note := ""
			if !validUnitPath(p) {
				note = review("unit "+p, "the layout accepts letters, digits, spaces and . _ - in unit names; rename it in AWS or here")
			}
			line("  - %s%s", yq(p), note)
		}
	}

	line("")
	line("accounts:")
	order := live.SortedAccountNames()
	sort.SliceStable(order, func(i, j int) bool {
		mi, mj := order[i] == live.ManagementAccount, order[j] == live.ManagementAccount
		if mi != mj {
			return mi
		}
		return names[order[i]] < names[order[j]]
	})
	for _, n := range order {
		a, ln := live.Accounts[n], names[n]
		if ln == "" {
			continue
		}
		doc.accounts++
		nameNote := ""
		if ln != n {
			nameNote = review("account "+ln, fmt.Sprintf("AWS name %q is not a valid layout name; plan will show the difference", n))
		}
		line("  %s:%s", yq(ln), nameNote)
		if a.Unit != "" {
			line("    unit: %s", yq(a.Unit))
		}
		kind, from := guessKind(a, n == live.ManagementAccount)
		note := ""
		if from != "" {
			note = review("account "+ln, "kind guessed from "+from)
		}
		line("    kind: %s%s", kind, note)
		if a.Protected {
			line("    protected: true")
		}
		if n != live.ManagementAccount && (template == "" || strings.ReplaceAll(template, "{account}", ln) != a.Email) {
			line("    email: %s", yq(a.Email))
		}
		if len(a.Tags) > 0 {
			line("    tags:")
			for _, k := range sortedKeys(a.Tags) {
				line("      %s: %s", yq(k), yq(a.Tags[k]))
			}
		}
	}
	if len(closed) > 0 {
		line("  # Left out, closed: %s.", strings.Join(closed, ", "))
	}

	var skipped []string
	wrotePolicies := false
	for _, n := range live.SortedPolicyNames() {
		p := live.Policies[n]
		typ, ok := layoutPolicyType[p.Type]
		switch {
		case p.AWSManaged:
			skipped = append(skipped, n+" (AWS-managed)")
			continue
		case !ok:
			skipped = append(skipped, n+" ("+p.Type+", not expressible in the layout)")
			continue
		}
		if !wrotePolicies {
			line("")
			line("policies:")
			wrotePolicies = true
		}
		file := policyFileRe().ReplaceAllString(n, "-") + ".json"
		for doc.policies[file] != nil {
			file = strings.TrimSuffix(file, ".json") + "-" + p.ID + ".json"
		}
		doc.policies[file] = policyFile(p.Content)
		line("  %s:", yq(n))
		line("    type: %s", typ)
		line("    file: %s", yq("policies/"+file))
		if p.Description != "" {
			line("    description: %s", strconv.Quote(p.Description))
		}
		var targets []string
		for _, t := range p.Targets {
			switch t.Kind {
			case org.TargetRoot:
				targets = append(targets, "root")
			case org.TargetUnit:
				targets = append(targets, yq(t.Name))
			case org.TargetAccount:
				if names[t.Name] != "" {
					targets = append(targets, yq(names[t.Name]))
				}
			}
		}
		if len(targets) > 0 {
			line("    attach: [%s]", strings.Join(targets, ", "))
		}
	}
	if len(skipped) > 0 {
		line("")
		line("# Policies left out: %s.", strings.Join(skipped, ", "))
	}
	doc.layout = []byte(b.String())
	return doc
}

// layoutPolicyType maps the API's policy types to the layout's.
var layoutPolicyType = map[string]layout.PolicyType{
	org.SCP: layout.PolicySCP, org.RCP: "rcp", org.Tag: "tag", org.Backup: "backup",
}

// orgName is the organization's name for the layout: the first label of
// the management email's domain (as init derives emails from a domain),
// else the management account's name.
func orgName(mgmt *org.Account) string {
	if mgmt == nil {
		return "imported"
	}
	if at := strings.LastIndexByte(mgmt.Email, '@'); at >= 0 {
		label, _, _ := strings.Cut(mgmt.Email[at+1:], ".")
		if n := layoutName(label); n != "account" {
			return n
		}
	}
	return layoutName(mgmt.Name)
}

// emailTemplate returns the organization.email template most member
// accounts follow ("aws+{account}@acme.example"), or "" when fewer than
// two do.
func emailTemplate(live *org.Org, members []string, names map[string]string) string {
	count := map[string]int{}
	for _, n := range members {
		email, ln := live.Accounts[n].Email, names[n]
		if i := strings.Index(email, ln); ln != "" && i >= 0 {
			count[email[:i]+"{account}"+email[i+len(ln):]]++
		}
	}
	best := ""
	for _, t := range sortedKeys(count) {
		if count[t] > count[best] || best == "" {
			best = t
		}
	}
	if count[best] < 2 || !strings.Contains(best, "@") {
		return ""
	}
	return best
}

// closing reports whether an account status is on the way out of the
// organization (closed, or closing): such accounts are not imported.
func closing(status string) bool {
	return status == org.Suspended || status == org.PendingClosure || status == org.Closed
}

func policies(n int) string {
	if n == 1 {
		return "1 policy"
	}
	return fmt.Sprintf("%d policies", n)
}

func validUnitPath(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if !importUnitElemRe().MatchString(e) {
			return false
		}
	}
	return true
}

// policyFile is the policy content, indented when it is JSON (the layout
// compares documents without insignificant whitespace).
func policyFile(content string) []byte {
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(content), "", "  ") != nil {
		return []byte(content)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
