package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/lint"
)

// lintOutput is what `bulkhead lint --output json` prints.
type lintOutput struct {
	File string `json:"file"`
	// Valid is false when the file does not validate; Findings then holds
	// the validation errors and no rule ran.
	Valid    bool            `json:"valid"`
	Findings []lint.Finding  `json:"findings"`
	Silenced []lint.Silenced `json:"silenced"`
	Summary  lintSummary     `json:"summary"`
}

type lintSummary struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
	Silenced int `json:"silenced"`
}

func (a *App) newLintCmd() *cobra.Command {
	var listRules bool
	cmd := &cobra.Command{
		Use:   "lint",
		Short: "Check the layout against the multi-account playbook",
		Long: `lint checks a layout that validates against the playbook's rules: the
management account holds no workloads, production has an account of its own
and a guard, each staging stage has its own account, each developer a sandbox,
every workload account a guardrail SCP, the management email is an alias, and
nobody is in more than IAM's 10 groups.

Each finding prints as FILE:LINE:COL: severity: message [rule-id], then a hint
(what to do) and why the rule exists. Silence a rule in the layout file, with a
reason:

  lint:
    silence:
      staging-shared-account: "qa and uat share one account on purpose"

Exit status 1 when the file does not validate (its errors are printed and no
rule runs) or when a finding has severity error; warnings and infos exit 0.
docs/lint.md documents every rule; --rules lists them.`,
		Example: `  bulkhead lint
  bulkhead lint -f org/bulkhead.yaml -o json
  bulkhead lint --rules`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if listRules {
				return a.printRules()
			}
			return a.runLint()
		},
	}
	cmd.Flags().BoolVar(&listRules, "rules", false, "list the rules (id, severity, what they find, why) instead of linting")
	return cmd
}

func (a *App) printRules() error {
	rules := lint.Rules()
	return a.Render(rules, func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RULE\tSEVERITY\tFINDS")
		for _, r := range rules {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Title)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, "\nWhy each rule exists, and how to silence one: docs/lint.md")
		return err
	})
}

func (a *App) runLint() error {
	l, ds, err := a.loadLayout()
	if err != nil {
		return &ExitError{Code: 1, Message: err.Error() + " (choose the file with -C DIR and -f FILE, or write one with `bulkhead init`)"}
	}
	out := lintOutput{File: a.LayoutPath(), Valid: !ds.HasErrors() && l != nil, Findings: []lint.Finding{}, Silenced: []lint.Silenced{}}
	if !out.Valid {
		for _, d := range ds {
			if d.Severity == diag.Error {
				out.Findings = append(out.Findings, lint.Finding{Diagnostic: d})
			}
		}
	} else {
		rep := lint.Check(l)
		out.Findings, out.Silenced = rep.Findings, rep.Silenced
	}
	for _, f := range out.Findings {
		switch f.Severity {
		case diag.Error:
			out.Summary.Errors++
		case diag.Warning:
			out.Summary.Warnings++
		default:
			out.Summary.Infos++
		}
	}
	for _, s := range out.Silenced {
		out.Summary.Silenced += s.Findings
	}
	err = a.Render(out, func(w io.Writer) error { return a.writeLintText(w, out) })
	if err != nil {
		return err
	}
	if out.Summary.Errors > 0 {
		return &ExitError{Code: 1}
	}
	return nil
}

// writeLintText prints findings the way compilers do, a summary line, and
// what the silences hid.
func (a *App) writeLintText(w io.Writer, out lintOutput) error {
	color := a.Color()
	for _, f := range out.Findings {
		sev := string(f.Severity)
		if color {
			sev = colorize(f.Severity, sev)
		}
		pos := f.Pos.String()
		if pos == "" {
			pos = out.File
		}
		code := ""
		if f.Code != "" {
			code = " [" + f.Code + "]"
		}
		fmt.Fprintf(w, "%s: %s: %s%s\n", pos, sev, f.Summary, code)
		if f.Hint != "" {
			fmt.Fprintf(w, "    hint: %s\n", f.Hint)
		}
		if f.Reason != "" {
			fmt.Fprintf(w, "    why: %s\n", f.Reason)
		}
	}
	s := out.Summary
	switch {
	case !out.Valid:
		fmt.Fprintf(w, "%s: %s; the file does not validate, so no rule ran (bulkhead validate shows everything)\n", out.File, plural(s.Errors, "error"))
	case s.Errors+s.Warnings+s.Infos == 0:
		fmt.Fprintf(w, "%s: no findings (%d rules)\n", out.File, len(lint.Rules()))
	default:
		fmt.Fprintf(w, "%s: %s, %s, %s\n", out.File, plural(s.Errors, "error"), plural(s.Warnings, "warning"), plural(s.Infos, "info"))
	}
	for _, si := range out.Silenced {
		fmt.Fprintf(w, "silenced: %s (%s): %s\n", si.Rule, plural(si.Findings, "finding"), si.Reason)
	}
	return nil
}

// colorize wraps a severity in its ANSI colour: red, yellow, cyan.
func colorize(s diag.Severity, text string) string {
	code := "36"
	switch s {
	case diag.Error:
		code = "31"
	case diag.Warning:
		code = "33"
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}
