package stages

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// The guard is a convenience that stops a person from deploying where they
// did not mean to; it is not what keeps them out. The roles' trust
// policies are: bypass the guard (call Assume directly) and an engineer's
// credentials still cannot assume the production deploy role.

// GuardError says a stage's guard refused, naming the rule and where it is
// written.
type GuardError struct {
	Res    *Resolution
	Reason string
	Hint   string
}

func (e *GuardError) Error() string {
	s := fmt.Sprintf("%s: stage %q is guarded by rule %d (guard: %s): %s", e.Res.RulePos, e.Res.Stage, e.Res.Rule, e.Res.Guard, e.Reason)
	if e.Hint != "" {
		s += "\n    hint: " + e.Hint
	}
	return s
}

// InCI reports whether the process runs in CI: CI=true (set by GitHub
// Actions, GitLab, CircleCI, Buildkite, ...) or GITHUB_ACTIONS=true.
func InCI(getenv func(string) string) bool {
	ci := strings.ToLower(getenv("CI"))
	return ci == "true" || ci == "1" || getenv("GITHUB_ACTIONS") == "true"
}

// WebIdentity reports whether the environment carries a web identity token
// for the SDKs (GitHub Actions' aws-actions/configure-aws-credentials with
// OIDC, or any AssumeRoleWithWebIdentity setup).
func WebIdentity(getenv func(string) string) bool {
	return getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "" && getenv("AWS_ROLE_ARN") != ""
}

// CheckCI enforces `guard: ci`: the process must run in CI and its base
// identity must be the layout's CI principal: the CI role (an
// assumed-role session of ci.role in its account) or, for GitHub Actions
// OIDC, a web identity token in the environment. identity is the base
// identity's ARN ("" when unknown, as with a web identity that has not
// been exchanged yet); accountID maps an account name to its id.
func CheckCI(res *Resolution, ci *CIPrincipal, layoutFile string, getenv func(string) string, identity string, accountID func(string) (string, error)) error {
	if !InCI(getenv) {
		return &GuardError{Res: res, Reason: "only the CI principal may deploy it, and this is not CI (neither CI=true nor GITHUB_ACTIONS=true is set)",
			Hint: "deploy through the pipeline; the trust policy of the role refuses anyone else anyway"}
	}
	if ci == nil {
		return &GuardError{Res: res, Reason: "the layout has no `ci:` principal", Hint: "add a ci: section (github or role) to " + layoutFile}
	}
	if ci.GitHub && WebIdentity(getenv) {
		return nil
	}
	// Already a session of the stage's own role (the pipeline assumed it
	// itself, e.g. aws-actions/configure-aws-credentials with OIDC): the
	// role's trust policy, which admits only the CI principal, let it in.
	if identity != "" && res.AccountID != "" && IsRole(identity, res.AccountID, res.Role) {
		return nil
	}
	if ci.RoleName != "" && identity != "" {
		id, err := accountID(ci.RoleAccount)
		if err != nil {
			return err
		}
		if IsRole(identity, id, ci.RoleName) {
			return nil
		}
		return &GuardError{Res: res, Reason: fmt.Sprintf("the credentials are %s, not the CI role %s in account %s (%s)", identity, ci.RoleName, ci.RoleAccount, id),
			Hint: fmt.Sprintf("run as the CI role (%s)", ci.Pos)}
	}
	want := "a GitHub Actions OIDC token (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE)"
	if ci.RoleName != "" {
		want = "the CI role " + ci.RoleName + " in account " + ci.RoleAccount
	}
	got := identity
	if got == "" {
		got = "unknown credentials"
	}
	return &GuardError{Res: res, Reason: fmt.Sprintf("the credentials are %s, not the CI principal (%s)", got, want), Hint: fmt.Sprintf("the CI principal is declared at %s", ci.Pos)}
}

// IsRole reports whether arn is role name of account id, or a session of
// it (arn:aws:sts::<id>:assumed-role/<name>/<session>).
func IsRole(arn, accountID, name string) bool {
	for _, p := range []string{"arn:aws:sts::" + accountID + ":assumed-role/" + name + "/", "arn:aws:iam::" + accountID + ":role/"} {
		if rest, ok := strings.CutPrefix(arn, p); ok {
			if strings.HasSuffix(p, "role/") {
				return rest == name || strings.HasSuffix(rest, "/"+name)
			}
			return rest != ""
		}
	}
	return false
}

// Prompter asks a person for a line: the confirm guard's account name and
// an MFA code. In is read one byte at a time up to the newline, so that
// exec leaves the rest of stdin to the command it runs.
type Prompter struct {
	In  io.Reader
	Out io.Writer // where the question goes (stderr)
	// Terminal is true when In is a terminal; piped input is accepted
	// without a question, so scripts can confirm with `echo prod |`.
	Terminal bool
}

// Ask prints question (on a terminal) and reads one line.
func (p *Prompter) Ask(question string) (string, error) {
	if p == nil || p.In == nil {
		return "", errors.New("no input to read the answer from")
	}
	if p.Terminal && p.Out != nil {
		fmt.Fprint(p.Out, question)
	}
	return readLine(p.In)
}

// readLine reads up to a newline without reading past it.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < 4096 {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			b.WriteByte(buf[0])
		}
		if err == io.EOF {
			if b.Len() == 0 {
				return "", io.EOF
			}
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimSpace(b.String()), nil
}

// Confirm enforces `guard: confirm`: the person types the account name.
// No flag skips it; a script pipes the name on stdin.
func Confirm(res *Resolution, accountID string, p *Prompter) error {
	q := fmt.Sprintf("Stage %s deploys into account %s (%s) as %s.\nType the account name to continue: ", res.Stage, res.Account, accountID, roleOrNone(res.Role))
	got, err := p.Ask(q)
	if err != nil {
		return &GuardError{Res: res, Reason: "it needs the account name typed to confirm, and there was none to read (" + err.Error() + ")",
			Hint: fmt.Sprintf("type it on a terminal, or pipe it: echo %s | bulkhead ...", res.Account)}
	}
	if got != res.Account {
		return &GuardError{Res: res, Reason: fmt.Sprintf("typed %q, not the account name %q", got, res.Account)}
	}
	return nil
}

func roleOrNone(r string) string {
	if r == "" {
		return "(no role)"
	}
	return r
}
