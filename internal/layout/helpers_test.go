package layout

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// base is a small valid layout; cases mutate it.
const base = `version: 1
organization:
  name: acme
  management: {account: management, email: aws@acme.example}
  email: "aws+{account}@acme.example"
units: [Security, Workloads/Production, Workloads/Development, Sandbox]
accounts:
  management: {kind: management}
  security: {unit: Security, kind: security}
  prod: {unit: Workloads/Production, kind: production, protected: true}
  dev: {unit: Workloads/Development, kind: development}
  sandbox-{developer}: {for_each: developers, unit: Sandbox, kind: sandbox, owner: "{developer}"}
developers: [alice, bob]
groups:
  engineers: [alice, bob]
stages:
  - {match: prod, account: prod, role: deployer, guard: ci}
  - {match: ["feature-*", "pr-*"], account: dev, role: appeng}
  - {match: "sandbox-{developer}", account: "sandbox-{developer}", role: appeng}
ci:
  github: {repository: acme/app}
roles:
  appeng:
    trust: [group:engineers]
    policies: {development: PowerUserAccess, sandbox: AdministratorAccess, production: ReadOnlyAccess}
  deployer:
    trust: [ci]
    policies: {production: policies/deploy.json}
policies:
  guardrails: {type: scp, file: policies/guardrails.json, attach: [Workloads, Sandbox]}
invariants:
  - group:engineers cannot write kind:production
`

const okPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`

const okSCP = `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}`

// testFS holds the policy files the base layout references.
type fstestFile = fstest.MapFile

func testFS() fstest.MapFS {
	return fstest.MapFS{
		"policies/deploy.json":     {Data: []byte(okPolicy)},
		"policies/guardrails.json": {Data: []byte(okSCP)},
		"policies/scp.json":        {Data: []byte(okSCP)},
		"policies/dir":             {Mode: fs.ModeDir},
	}
}

// readFS adapts an fs.FS to Options.ReadFile with Load's rules.
func readFS(fsys fs.FS) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		st, err := fs.Stat(fsys, name)
		if err != nil {
			return nil, err
		}
		if !st.Mode().IsRegular() {
			return nil, ErrNotRegular
		}
		return fs.ReadFile(fsys, name)
	}
}

func parseString(t testing.TB, src string) (*Layout, diag.Diagnostics) {
	t.Helper()
	return Parse("bulkhead.yaml", []byte(src), Options{ReadFile: readFS(testFS())})
}

// replace returns base with old replaced by new, failing when old is absent.
func replace(t *testing.T, src, old, new string) string {
	t.Helper()
	if !strings.Contains(src, old) {
		t.Fatalf("test setup: %q not in the layout", old)
	}
	return strings.Replace(src, old, new, 1)
}

// brief renders a diagnostic as "LINE:COL code" for comparisons.
func brief(d diag.Diagnostic) string {
	file := ""
	if d.Pos.File != "bulkhead.yaml" {
		file = d.Pos.File + ":"
	}
	sev := ""
	if d.Severity != diag.Error {
		sev = string(d.Severity) + " "
	}
	return fmt.Sprintf("%s%d:%d %s%s", file, d.Pos.Line, d.Pos.Col, sev, d.Code)
}

func briefs(ds diag.Diagnostics) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, brief(d))
	}
	return out
}
