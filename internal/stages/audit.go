package stages

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// StateDir is the user's bulkhead state directory, which holds the
// session cache (when there is no keyring), the account-id cache, lock
// files and the audit log: $BULKHEAD_STATE_DIR, else
// $XDG_STATE_HOME/bulkhead, else ~/.local/state/bulkhead.
func StateDir(getenv func(string) string) (string, error) {
	if d := getenv("BULKHEAD_STATE_DIR"); d != "" {
		return filepath.Abs(d)
	}
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "bulkhead"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("no state directory: set BULKHEAD_STATE_DIR or HOME")
		}
	}
	return filepath.Join(home, ".local", "state", "bulkhead"), nil
}

// AuditRecord is one line of the audit log. It never holds a secret: the
// command line is redacted (RedactArgs) and credentials are not recorded,
// only the session's name and ARN.
type AuditRecord struct {
	Time     time.Time `json:"time"`
	Command  string    `json:"command"` // exec, env, credential-process
	Identity string    `json:"identity,omitempty"`
	Stage    string    `json:"stage"`
	Account  string    `json:"account,omitempty"`
	// AccountID is empty when the command failed before resolving it.
	AccountID string `json:"account_id,omitempty"`
	Role      string `json:"role,omitempty"`
	Session   string `json:"session,omitempty"`
	Guard     string `json:"guard,omitempty"`
	Cached    bool   `json:"cached"`
	// Args is the command line bulkhead runs or was run with.
	Args []string `json:"args,omitempty"`
	// Outcome is "allowed" or "refused"; Error says why it was refused.
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

// AuditLog appends records to a JSON-lines file, mode 0600.
type AuditLog struct{ Path string }

// Append writes r as one line. Each record is one write(2) on a file
// opened with O_APPEND, so concurrent bulkheads do not interleave lines.
func (l *AuditLog) Append(r AuditRecord) error {
	if err := os.MkdirAll(filepath.Dir(l.Path), 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(l.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("audit log %s: %w", l.Path, err)
	}
	return f.Close()
}

// secretFlag matches flag names whose values are secrets.
var secretFlag = regexp.MustCompile(`(?i)(secret|password|passwd|token|credential|private|api[-_]?key|access[-_]?key)`)

// secretValue matches values that look like AWS keys or long opaque
// tokens wherever they appear.
var secretValue = regexp.MustCompile(`(?:A(?:KIA|SIA)[A-Z0-9]{12,})|(?:[A-Za-z0-9/+=]{40,})`)

// Redacted replaces a secret in the audit log and in messages.
const Redacted = "[redacted]"

// RedactArgs returns argv with the values of flags whose names look like
// secrets (--password x, --token=x, PASSWORD=x), and anything that
// looks like an access key or a long token, replaced by Redacted.
func RedactArgs(argv []string) []string {
	out := make([]string, len(argv))
	redactNext := false
	for i, a := range argv {
		switch {
		case redactNext:
			out[i] = Redacted
			redactNext = false
			continue
		case strings.HasPrefix(a, "-"):
			name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if secretFlag.MatchString(name) {
				if hasValue {
					out[i] = a[:strings.Index(a, "=")+1] + Redacted
				} else {
					out[i] = a
					redactNext = true
				}
				continue
			}
		case strings.Contains(a, "="):
			name, _, _ := strings.Cut(a, "=")
			if secretFlag.MatchString(name) {
				out[i] = name + "=" + Redacted
				continue
			}
		}
		out[i] = secretValue.ReplaceAllString(a, Redacted)
	}
	return out
}
