package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// validateProblem is one problem in `validate --output json`.
type validateProblem struct {
	Severity diag.Severity `json:"severity"`
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Col      int           `json:"col"`
	Code     string        `json:"code"`
	Path     string        `json:"path"`
	Summary  string        `json:"summary"`
	Hint     string        `json:"hint"`
}

// validateResult is what `bulkhead validate --output json` prints.
type validateResult struct {
	File     string            `json:"file"`
	Valid    bool              `json:"valid"`
	Counts   *layoutCounts     `json:"counts,omitempty"`
	Problems []validateProblem `json:"problems"`
}

type layoutCounts struct {
	Accounts   int `json:"accounts"`
	Units      int `json:"units"`
	Stages     int `json:"stages"`
	Roles      int `json:"roles"`
	Policies   int `json:"policies"`
	Invariants int `json:"invariants"`
}

func (a *App) newValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the layout file and the policy files it references",
		Long: `validate reads the layout file (bulkhead.yaml, or -f FILE, relative to -C DIR)
and every policy file it references, and reports every problem at once, each as
FILE:LINE:COL: message followed by a hint: YAML syntax, unknown fields (with
did-you-mean), wrong types, duplicate keys, account names and emails, references
to unknown units, accounts, groups, people, roles and policies, OU depth, AWS
Organizations quotas (SCP size and SCPs per target, counting FullAWSAccess),
invalid policy JSON or IAM grammar (positioned inside the JSON file), stage
rules that can never match or that route to the management account, and
placeholders with no source.

Exit status 0 when the file is valid (warnings allowed), 1 when it has errors.
See docs/layout.md for the format.`,
		Example: `  bulkhead validate
  bulkhead -C infra validate
  bulkhead validate -f staging.yaml --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runValidate()
		},
	}
}

func (a *App) runValidate() error {
	file := a.LayoutPath()
	l, ds, err := a.loadLayout()
	if err != nil {
		ds = diag.Diagnostics{{Severity: diag.Error, Pos: diag.Pos{File: file}, Code: "unreadable",
			Summary: err.Error(), Hint: "check the path (-C DIR, -f FILE), or create one with `bulkhead init`"}}
	}
	res := validateResult{File: file, Valid: !ds.HasErrors() && l != nil, Problems: []validateProblem{}}
	for _, d := range ds {
		res.Problems = append(res.Problems, validateProblem{
			Severity: d.Severity, File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col,
			Code: d.Code, Path: d.Path, Summary: d.Summary, Hint: d.Hint,
		})
	}
	if l != nil {
		res.Counts = &layoutCounts{Accounts: len(l.Accounts), Units: len(l.Units), Stages: len(l.Stages),
			Roles: len(l.Roles), Policies: len(l.Policies), Invariants: len(l.Invariants)}
	}
	err = a.Render(res, func(w io.Writer) error {
		writeDiagnostics(w, ds)
		if !res.Valid {
			_, err := fmt.Fprintf(w, "%s: invalid: %s\n", file, countProblems(ds))
			return err
		}
		c := res.Counts
		msg := fmt.Sprintf("%s: valid: %s in %s, %s, %s, %s", file,
			plural(c.Accounts, "account"), plural(c.Units, "unit"), plural(c.Stages, "stage rule"),
			plural(c.Roles, "role"), pluralPolicy(c.Policies))
		if len(ds) > 0 {
			msg += " (" + countProblems(ds)[len("0 errors, "):] + ")"
		}
		_, err := fmt.Fprintln(w, msg)
		return err
	})
	if err != nil {
		return err
	}
	if !res.Valid {
		return &ExitError{Code: 1}
	}
	return nil
}

func pluralPolicy(n int) string {
	if n == 1 {
		return "1 policy"
	}
	return fmt.Sprintf("%d policies", n)
}
