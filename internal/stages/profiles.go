package stages

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// Profile is one AWS shared-config profile that reaches an account in a
// role through `bulkhead credential-process`.
type Profile struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	Role    string `json:"role"`
	// Stage is the stage the profile resolves through, when exactly one
	// stage name (not a pattern) routes to the account in the role; the
	// profile is then named after it and keeps its guard. Otherwise the
	// profile goes by account (credential-process --account).
	Stage string       `json:"stage,omitempty"`
	Guard layout.Guard `json:"guard"`
}

// Profiles lists one profile per account and role, in the layout's
// account order: every account a stage rule reaches, in the rule's role
// and in every role whose policies cover the account's kind.
func Profiles(l *layout.Layout) []Profile {
	org := l.Organization.Name.Value
	type pair struct{ account, role string }
	literal := map[pair][]string{}
	reached := map[string]bool{}
	for _, r := range l.Stages {
		for _, a := range layout.RuleAccounts(l, r).Accounts {
			reached[a] = true
		}
		for _, m := range r.Match {
			for _, stage := range concreteStages(m.Value, l.DeveloperNames()) {
				res, err := Resolve(l, stage)
				if err != nil || res.Rule != r.Index+1 || res.Role == "" {
					continue
				}
				p := pair{res.Account, res.Role}
				literal[p] = append(literal[p], stage)
			}
		}
	}
	var out []Profile
	for _, a := range l.Accounts {
		name := a.Name.Value
		if !reached[name] || name == l.Organization.Management.Account.Value {
			continue
		}
		roles := map[string]bool{}
		for _, r := range l.Stages {
			if r.Role.Value != "" && contains(layout.RuleAccounts(l, r).Accounts, name) {
				roles[r.Role.Value] = true
			}
		}
		for _, r := range l.Roles {
			for _, p := range r.Policies {
				if p.Kind.Value == a.Kind.Value {
					roles[r.Name.Value] = true
				}
			}
		}
		sorted := make([]string, 0, len(roles))
		for r := range roles {
			sorted = append(sorted, r)
		}
		sort.Strings(sorted)
		for _, role := range sorted {
			p := Profile{Account: name, Role: role, Guard: AccountGuard(l, name, role)}
			if st := literal[pair{name, role}]; len(st) == 1 {
				p.Stage = st[0]
				res, _ := Resolve(l, p.Stage)
				p.Guard = res.Guard
			}
			p.Name = profileName(org, p)
			out = append(out, p)
		}
	}
	return out
}

func profileName(org string, p Profile) string {
	mid := p.Account
	if p.Stage != "" {
		mid = p.Stage
	}
	return org + "-" + mid + "-" + p.Role
}

// concreteStages returns the stage names a pattern matches when it has no
// wildcard: itself, or one per developer for {developer}.
func concreteStages(pattern string, devs []string) []string {
	if strings.ContainsAny(pattern, "*?") {
		return nil
	}
	if !strings.Contains(pattern, "{developer}") {
		return []string{pattern}
	}
	out := make([]string, 0, len(devs))
	for _, d := range devs {
		out = append(out, strings.ReplaceAll(pattern, "{developer}", d))
	}
	return out
}

// guardRank orders guards from the least to the most strict.
func guardRank(g layout.Guard) int {
	switch g {
	case layout.GuardCI:
		return 2
	case layout.GuardConfirm:
		return 1
	}
	return 0
}

// AccountGuard is the guard of reaching account in role by account rather
// than by stage: the strictest guard of the rules that route a stage to
// that account in that role (none when no rule does: the role's trust and
// permissions policies decide alone).
func AccountGuard(l *layout.Layout, account, role string) layout.Guard {
	g := layout.GuardNone
	for _, r := range l.Stages {
		if r.Role.Value == role && contains(layout.RuleAccounts(l, r).Accounts, account) && guardRank(r.Guard.Value) > guardRank(g) {
			g = r.Guard.Value
		}
	}
	return g
}

// ResolveAccount is Resolve for a profile that goes by account: the
// resolution of account in role, with AccountGuard, named after the
// account (the session name is then `<user>@<account>`).
func ResolveAccount(l *layout.Layout, account, role string) (*Resolution, error) {
	a := l.Account(account)
	if a == nil {
		return nil, fmt.Errorf("no account %q in the layout", account)
	}
	if account == l.Organization.Management.Account.Value {
		return nil, fmt.Errorf("account %q is the management account; bulkhead never hands out sessions there", account)
	}
	res := &Resolution{Stage: account, Account: account, Role: role, Guard: AccountGuard(l, account, role), RulePos: a.Name.Pos, Pattern: account, Bindings: map[string]string{}}
	for _, r := range l.Stages {
		if r.Role.Value == role && r.Guard.Value == res.Guard && contains(layout.RuleAccounts(l, r).Accounts, account) {
			res.Rule, res.RulePos = r.Index+1, r.Pos
			break
		}
	}
	return res, nil
}

// ProfileCommand is how a profile runs bulkhead: the absolute path of the
// executable and of the layout's directory (so the profile works from any
// directory), and -f when the layout file is not bulkhead.yaml.
type ProfileCommand struct {
	Executable string
	Dir        string
	File       string // "" or "bulkhead.yaml" for the default
	// BaseProfile is the profile holding the person's base credentials
	// (credential-process --profile); "" takes the standard chain.
	BaseProfile string
	Region      string
	// Endpoint is written as endpoint_url for the local AWS.
	Endpoint string
}

// RenderProfiles returns the marked block for org: `# BEGIN bulkhead <org>`,
// one [profile ...] section per profile, `# END bulkhead <org>`.
func RenderProfiles(org string, profiles []Profile, c ProfileCommand) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# BEGIN bulkhead %s\n", org)
	b.WriteString("# Written by `bulkhead profiles --write`; edits inside this block are replaced.\n")
	base := cmdQuote(c.Executable) + " -C " + cmdQuote(c.Dir)
	if c.File != "" && c.File != "bulkhead.yaml" {
		base += " -f " + cmdQuote(c.File)
	}
	if c.BaseProfile != "" {
		base += " --profile " + cmdQuote(c.BaseProfile)
	}
	for _, p := range profiles {
		fmt.Fprintf(&b, "\n[profile %s]\n", p.Name)
		if p.Stage != "" {
			fmt.Fprintf(&b, "credential_process = %s credential-process --stage %s\n", base, cmdQuote(p.Stage))
		} else {
			fmt.Fprintf(&b, "credential_process = %s credential-process --account %s --role %s\n", base, cmdQuote(p.Account), cmdQuote(p.Role))
		}
		if c.Region != "" {
			fmt.Fprintf(&b, "region = %s\n", c.Region)
		}
		if c.Endpoint != "" {
			fmt.Fprintf(&b, "endpoint_url = %s\n", c.Endpoint)
		}
	}
	fmt.Fprintf(&b, "\n# END bulkhead %s\n", org)
	return b.String()
}

// cmdQuote quotes an argument of credential_process, which the AWS CLI
// and SDKs split like a shell, when it holds a space or a quote.
func cmdQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

var sectionHeader = regexp.MustCompile(`(?m)^\s*\[\s*(?:profile\s+)?([^\]]+?)\s*\]`)

// MergeProfiles returns config with the block of org replaced by block, or
// block appended when config has none. Everything outside the block is
// kept byte for byte. It refuses a config with an unterminated block and
// one that already defines, outside the block, a profile the block would
// define.
func MergeProfiles(config []byte, org, block string) ([]byte, error) {
	begin, end := "# BEGIN bulkhead "+org, "# END bulkhead "+org
	lines := bytes.SplitAfter(config, []byte("\n"))
	start, stop := -1, -1
	for i, ln := range lines {
		t := strings.TrimSpace(string(ln))
		if t == begin && start < 0 {
			start = i
		} else if t == end && start >= 0 {
			stop = i
			break
		}
	}
	if start >= 0 && stop < 0 {
		return nil, fmt.Errorf("line %d: %q has no %q after it; fix the file by hand", start+1, begin, end)
	}
	var before, after []byte
	if start < 0 {
		before = config
		if len(before) > 0 && !bytes.HasSuffix(before, []byte("\n")) {
			before = append(before, '\n')
		}
		if len(before) > 0 {
			before = append(before, '\n')
		}
	} else {
		before = bytes.Join(lines[:start], nil)
		after = bytes.Join(lines[stop+1:], nil)
	}
	outside := map[string]int{}
	for _, part := range [][]byte{before, after} {
		for _, m := range sectionHeader.FindAllSubmatch(part, -1) {
			outside[string(m[1])]++
		}
	}
	for _, m := range sectionHeader.FindAllStringSubmatch(block, -1) {
		if outside[m[1]] > 0 {
			return nil, fmt.Errorf("profile %q is already defined outside the bulkhead block; rename or remove it first", m[1])
		}
	}
	out := append(append(append([]byte{}, before...), block...), after...)
	return out, nil
}

// WriteProfiles merges block into the file at path (created 0600 with its
// directory when missing), atomically: a temporary file with the old
// file's mode, renamed over it.
func WriteProfiles(path, org, block string) error {
	old, err := os.ReadFile(path)
	mode := os.FileMode(0o600)
	switch {
	case err == nil:
		if st, err := os.Stat(path); err == nil {
			mode = st.Mode().Perm()
		}
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
	default:
		return err
	}
	merged, err := MergeProfiles(old, org, block)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	// Write through a symlink to its target, so a dotfiles-managed config
	// stays a link.
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	return writeFileAtomic(path, merged, mode)
}
