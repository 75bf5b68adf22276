package plan

import (
	"fmt"
	"io"
	"strings"
)

// RenderOptions shape the text rendering.
type RenderOptions struct {
	// Color adds ANSI colours (green +, yellow ~, red -).
	Color bool
}

const (
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiRed    = "\x1b[31m"
	ansiDim    = "\x1b[2m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

// group is a heading of the text rendering.
type group struct {
	title string
	ops   []*Op
}

func groupOf(op *Op) int {
	if op.Kind.IsIAM() {
		return 4
	}
	switch op.Kind {
	case CreateOrganization, EnablePolicyType:
		return 0
	case CreateUnit, RenameUnit, DeleteUnit:
		return 1
	case CreateAccount, MoveAccount, CloseAccount, RemoveAccount:
		return 2
	case CreatePolicy, UpdatePolicy, DeletePolicy, AttachPolicy, DetachPolicy:
		return 3
	case TagResource, UntagResource:
		switch op.Resource {
		case ResRoot:
			return 0
		case ResUnit:
			return 1
		case ResAccount:
			return 2
		}
		return 3
	}
	return 0
}

// Text writes the plan for people: operations grouped by what they act on,
// each with a + ~ - marker, the wanted and live value and the reason, then
// what is left alone or withheld, notes, errors, and a closing line.
func (p *Plan) Text(w io.Writer, o RenderOptions) error {
	b := &strings.Builder{}
	c := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	groups := []group{{title: "Organization"}, {title: "Units"}, {title: "Accounts"}, {title: "Policies"}, {title: "People and roles"}}
	for _, op := range p.Ops {
		g := groupOf(op)
		groups[g].ops = append(groups[g].ops, op)
	}
	for _, g := range groups {
		if len(g.ops) == 0 {
			continue
		}
		fmt.Fprintln(b, c(ansiBold, g.title))
		for _, op := range g.ops {
			marker, code := "~", ansiYellow
			switch op.action() {
			case ActCreate:
				marker, code = "+", ansiGreen
			case ActDestroy:
				marker, code = "-", ansiRed
			}
			fmt.Fprintf(b, "  %s %s", c(code, marker), describe(op))
			why := op.Reason
			if op.Match != "" && op.Match != "matched by email" && op.Match != "the management account" {
				why += "; " + op.Match
			}
			if why != "" {
				fmt.Fprintf(b, "  %s", c(ansiDim, "("+why+")"))
			}
			fmt.Fprintln(b)
		}
		fmt.Fprintln(b)
	}
	list := func(title string, items []string, code string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintln(b, c(ansiBold, title))
		for _, it := range items {
			fmt.Fprintf(b, "  %s %s\n", c(code, "·"), it)
		}
		fmt.Fprintln(b)
	}
	list("Unmanaged (not in the layout, left alone):", p.Unmanaged, ansiDim)
	list("Withheld (destructive; run with --allow-destroy to include):", p.Withheld, ansiRed)
	list("Notes:", p.Notes, ansiDim)
	list("Errors (the plan cannot be applied):", p.Errors, ansiRed)
	list("Invariant violations (apply refuses the plan; --allow-invariant-violations overrides):", p.Violations, ansiRed)
	fmt.Fprintln(b, p.ClosingLine())
	_, err := io.WriteString(w, b.String())
	return err
}

// ClosingLine is the plan's last line: "Plan: 3 to create, 1 to update, 1
// to move, 0 to destroy." or "No changes."
func (p *Plan) ClosingLine() string {
	if !p.Changes() {
		if len(p.Errors) > 0 {
			return "No changes, but the plan has errors."
		}
		if n := len(p.Unmanaged); n > 0 {
			return fmt.Sprintf("No changes. The organization matches the layout; %d unmanaged left alone.", n)
		}
		return "No changes. The organization matches the layout."
	}
	s := p.Summary()
	return fmt.Sprintf("Plan: %d to create, %d to update, %d to move, %d to destroy.", s.Create, s.Update, s.Move, s.Destroy)
}

// describe is one operation as a short sentence.
func describe(op *Op) string {
	if op.IAM != nil {
		return describeIAM(op)
	}
	switch op.Kind {
	case CreateOrganization:
		return "create the organization (all features)"
	case EnablePolicyType:
		return "enable policy type " + op.PolicyType
	case CreateUnit:
		if op.Replacement {
			return fmt.Sprintf("create unit %s (replacing %s)", op.Unit, op.Live)
		}
		return "create unit " + op.Unit
	case RenameUnit:
		return fmt.Sprintf("rename unit %s → %s", op.Live, op.Want)
	case DeleteUnit:
		return "delete unit " + op.Unit
	case CreateAccount:
		return fmt.Sprintf("create account %s <%s> in %s", op.Account, op.Email, unitLabel(op.Parent))
	case MoveAccount:
		return fmt.Sprintf("move account %s: %s → %s", op.Account, op.Live, op.Want)
	case CloseAccount:
		return fmt.Sprintf("close account %s (%s, %s)", op.Account, op.LiveID, op.Email)
	case RemoveAccount:
		return fmt.Sprintf("remove account %s (%s, %s) from the organization", op.Account, op.LiveID, op.Email)
	case TagResource:
		live := op.Live
		if live == "" {
			live = "(none)"
		}
		return fmt.Sprintf("tag %s: %s → %s", resourceName(op), live, op.Want)
	case UntagResource:
		return fmt.Sprintf("untag %s: remove %s", resourceName(op), op.Live)
	case CreatePolicy:
		return fmt.Sprintf("create policy %s (%s)", op.Policy, op.Want)
	case UpdatePolicy:
		return fmt.Sprintf("update policy %s: %s → %s", op.Policy, op.Live, op.Want)
	case DeletePolicy:
		return "delete policy " + op.Policy
	case AttachPolicy:
		return fmt.Sprintf("attach policy %s to %s", op.Policy, op.Target)
	case DetachPolicy:
		return fmt.Sprintf("detach policy %s from %s", op.Policy, op.Target)
	}
	return string(op.Kind) + " " + op.ID
}

func resourceName(op *Op) string {
	switch op.Resource {
	case ResRoot:
		return "the root"
	case ResUnit:
		return "unit " + op.Unit
	case ResAccount:
		return "account " + op.Account
	case ResPolicy:
		return "policy " + op.Policy
	}
	return op.ID
}
