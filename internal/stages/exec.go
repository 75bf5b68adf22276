package stages

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Vars are the environment variables a stage's session sets, in the order
// they are printed: the credentials, the region, the endpoint (the local
// AWS), and BULKHEAD_STAGE / BULKHEAD_ACCOUNT / BULKHEAD_ROLE for shell
// prompts and scripts.
func (s *Session) Vars(region, endpoint string) [][2]string {
	v := [][2]string{
		{"AWS_ACCESS_KEY_ID", s.Credentials.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", s.Credentials.SecretAccessKey},
		{"AWS_SESSION_TOKEN", s.Credentials.SessionToken},
	}
	if s.Credentials.CanExpire {
		v = append(v, [2]string{"AWS_CREDENTIAL_EXPIRATION", s.Credentials.Expires.UTC().Format(time.RFC3339)})
	}
	v = append(v, [2]string{"AWS_REGION", region}, [2]string{"AWS_DEFAULT_REGION", region})
	if endpoint != "" {
		v = append(v, [2]string{"AWS_ENDPOINT_URL", endpoint})
	}
	v = append(v,
		[2]string{"BULKHEAD_STAGE", s.Resolution.Stage},
		[2]string{"BULKHEAD_ACCOUNT", s.Resolution.Account},
		[2]string{"BULKHEAD_ACCOUNT_ID", s.AccountID},
		[2]string{"BULKHEAD_ROLE", s.Role},
	)
	return v
}

// overriding are variables that would make AWS tools use other
// credentials than the session's, or point them elsewhere; exec removes
// them from the command's environment.
var overriding = []string{
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_SESSION_EXPIRATION",
	"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
}

// Environ returns environ (KEY=value entries) with every overriding
// variable, every AWS_CREDENTIAL_* one and endpoint overrides removed and
// vars set.
func Environ(environ []string, vars [][2]string) []string {
	set := map[string]bool{}
	for _, kv := range vars {
		set[kv[0]] = true
	}
	out := make([]string, 0, len(environ)+len(vars))
	for _, e := range environ {
		k, _, _ := strings.Cut(e, "=")
		if set[k] || strings.HasPrefix(k, "AWS_CREDENTIAL_") || strings.HasPrefix(k, "AWS_ENDPOINT_URL") || contains(overriding, k) {
			continue
		}
		out = append(out, e)
	}
	for _, kv := range vars {
		out = append(out, kv[0]+"="+kv[1])
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Banner is the line exec prints on stderr so the account is always
// obvious: `→ stage prod · account prod (111122223333) · role deployer`.
func (s *Session) Banner() string {
	return fmt.Sprintf("→ stage %s · account %s (%s) · role %s", s.Resolution.Stage, s.Resolution.Account, s.AccountID, s.Role)
}

// Env formats accepted by FormatEnv.
var EnvFormats = []string{"sh", "fish", "powershell", "json", "dotenv"}

// FormatEnv renders vars for a shell: sh (export lines for bash and zsh,
// eval "$(bulkhead env ...)"), fish, powershell ($Env: assignments),
// dotenv (KEY=value, quoted when needed) or json (an object).
func FormatEnv(format string, vars [][2]string) (string, error) {
	var b strings.Builder
	switch format {
	case "sh":
		for _, kv := range vars {
			fmt.Fprintf(&b, "export %s=%s\n", kv[0], shQuote(kv[1]))
		}
	case "fish":
		for _, kv := range vars {
			fmt.Fprintf(&b, "set -gx %s %s;\n", kv[0], shQuote(kv[1]))
		}
	case "powershell":
		for _, kv := range vars {
			fmt.Fprintf(&b, "$Env:%s = '%s'\n", kv[0], strings.ReplaceAll(kv[1], "'", "''"))
		}
	case "dotenv":
		for _, kv := range vars {
			v := kv[1]
			if strings.ContainsAny(v, " \t\"'#$\\\n=") {
				v = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "$", `\$`).Replace(v) + `"`
			}
			fmt.Fprintf(&b, "%s=%s\n", kv[0], v)
		}
	case "json":
		m := make(map[string]string, len(vars))
		keys := make([]string, 0, len(vars))
		for _, kv := range vars {
			m[kv[0]] = kv[1]
			keys = append(keys, kv[0])
		}
		sort.Strings(keys)
		out, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return "", err
		}
		b.Write(out)
		b.WriteByte('\n')
	default:
		return "", fmt.Errorf("--format %q: want one of %s", format, strings.Join(EnvFormats, ", "))
	}
	return b.String(), nil
}

// shQuote quotes s for POSIX shells and fish when it holds anything beyond
// a safe set of characters.
func shQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CredentialProcess is the JSON the AWS CLI and SDKs read from a
// credential_process command (Version 1):
// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html
type CredentialProcess struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken,omitempty"`
	Expiration      string `json:"Expiration,omitempty"`
}

// CredentialProcess returns the session in credential_process form.
func (s *Session) CredentialProcess() CredentialProcess {
	c := CredentialProcess{Version: 1, AccessKeyID: s.Credentials.AccessKeyID, SecretAccessKey: s.Credentials.SecretAccessKey, SessionToken: s.Credentials.SessionToken}
	if s.Credentials.CanExpire {
		c.Expiration = s.Credentials.Expires.UTC().Format(time.RFC3339)
	}
	return c
}
