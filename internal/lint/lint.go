// Package lint checks a layout against the multi-account playbook (the
// seeds in shared/seeds) and AWS's documented quotas: rules a layout can
// break while still being valid, such as production sharing an account with
// a feature stage.
//
// Each rule has a stable kebab-case id, a severity and one sentence of
// reasoning that cites its source, and can be silenced in the layout file
// (`lint: silence: {rule-id: "reason"}`). Findings are diag.Diagnostics with
// Code set to the rule id and the position of the offending node.
//
// lint reads the model internal/layout built; it must not read files, parse
// YAML or re-validate what `bulkhead validate` reports, and it must not
// change the layout.
package lint

import (
	"slices"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// Rule is one playbook rule.
type Rule struct {
	ID       string        `json:"id"`
	Severity diag.Severity `json:"severity"`
	// Title says what the rule finds, in a few words.
	Title string `json:"title"`
	// Reason is why, in one sentence citing the seed or the AWS page.
	Reason string `json:"reason"`
	// Silenceable is false for the rules about silences themselves.
	Silenceable bool `json:"silenceable"`

	check func(*checker) []diag.Diagnostic
}

// Finding is a diagnostic from one rule, with the rule's reasoning.
type Finding struct {
	diag.Diagnostic
	Reason string `json:"reason"`
}

// Silenced is a rule switched off in the layout file, and how many findings
// that hid.
type Silenced struct {
	Rule     string   `json:"rule"`
	Reason   string   `json:"reason"`
	Pos      diag.Pos `json:"pos"`
	Findings int      `json:"findings"`
}

// Report is the result of linting one layout.
type Report struct {
	Findings []Finding  `json:"findings"`
	Silenced []Silenced `json:"silenced"`
}

// Diagnostics returns the findings as plain diagnostics.
func (r *Report) Diagnostics() diag.Diagnostics {
	ds := make(diag.Diagnostics, len(r.Findings))
	for i, f := range r.Findings {
		ds[i] = f.Diagnostic
	}
	return ds
}

// HasErrors reports whether any finding has error severity.
func (r *Report) HasErrors() bool { return r.Diagnostics().HasErrors() }

// Count returns the number of findings of a severity.
func (r *Report) Count(s diag.Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Rules lists every rule, in the order of docs/lint.md.
func Rules() []Rule { return rules() }

// Rule ids of the rules about silences, which cannot themselves be silenced.
const (
	ruleSilenceInvalid = "silence-invalid"
	ruleSilenceUnused  = "silence-unused"
)

// Check runs every rule over l and applies the file's silences. The
// findings are sorted by position. l should be a layout that validated
// without errors: rules skip what they cannot resolve rather than report it
// twice.
func Check(l *layout.Layout) *Report {
	c := newChecker(l)
	all := rules()
	byID := map[string]Rule{}
	for _, r := range all {
		byID[r.ID] = r
	}

	// Which silences are valid: a known, silenceable rule and a reason.
	// Invalid ones are findings themselves and silence nothing.
	silences := map[string]*Silenced{}
	var order []string
	var meta []Finding
	for _, s := range l.Lint.Silence {
		id, reason := s.Rule.Value, strings.TrimSpace(s.Reason.Value)
		r, known := byID[id]
		switch {
		case !known:
			hint := "remove it, or name one of the rules in docs/lint.md"
			if sug := suggestRule(id, all); sug != "" {
				hint = "did you mean " + sug + "? The rules are listed in docs/lint.md"
			}
			meta = append(meta, finding(byID[ruleSilenceInvalid], diag.Diagnostic{
				Pos: s.Rule.Pos, Path: "lint.silence." + id,
				Summary: "lint.silence names an unknown rule " + quote(id),
				Hint:    hint,
			}))
		case !r.Silenceable:
			meta = append(meta, finding(byID[ruleSilenceInvalid], diag.Diagnostic{
				Pos: s.Rule.Pos, Path: "lint.silence." + id,
				Summary: "rule " + id + " cannot be silenced",
				Hint:    "fix the silence it reports instead",
			}))
		case reason == "":
			meta = append(meta, finding(byID[ruleSilenceInvalid], diag.Diagnostic{
				Pos: s.Rule.Pos, Path: "lint.silence." + id,
				Summary: "lint.silence." + id + " gives no reason, so it silences nothing",
				Hint:    `say why the rule does not apply here: ` + id + `: "the reason"`,
			}))
		default:
			if _, dup := silences[id]; !dup {
				order = append(order, id)
			}
			silences[id] = &Silenced{Rule: id, Reason: reason, Pos: s.Rule.Pos}
		}
	}

	rep := &Report{Findings: append([]Finding{}, meta...), Silenced: []Silenced{}}
	for _, r := range all {
		if r.check == nil {
			continue
		}
		for _, d := range r.check(c) {
			if s, ok := silences[r.ID]; ok {
				s.Findings++
				continue
			}
			rep.Findings = append(rep.Findings, finding(r, d))
		}
	}
	for _, id := range order {
		s := silences[id]
		if s.Findings == 0 {
			rep.Findings = append(rep.Findings, finding(byID[ruleSilenceUnused], diag.Diagnostic{
				Pos: s.Pos, Path: "lint.silence." + id,
				Summary: "lint.silence." + id + " silences nothing: the rule finds no problem",
				Hint:    "remove the silence, so that the rule guards the layout again",
			}))
		}
		rep.Silenced = append(rep.Silenced, *s)
	}
	sortFindings(rep.Findings)
	return rep
}

// finding stamps a rule's id, severity and reason on a diagnostic.
func finding(r Rule, d diag.Diagnostic) Finding {
	d.Severity = r.Severity
	d.Code = r.ID
	return Finding{Diagnostic: d, Reason: r.Reason}
}

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		pa, pb := a.Pos, b.Pos
		switch {
		case pa.File != pb.File:
			return strings.Compare(pa.File, pb.File)
		case pa.Line != pb.Line:
			return pa.Line - pb.Line
		case pa.Col != pb.Col:
			return pa.Col - pb.Col
		case a.Code != b.Code:
			return strings.Compare(a.Code, b.Code)
		}
		return strings.Compare(a.Summary, b.Summary)
	})
}

// suggestRule finds the rule an unknown id most likely meant: one that
// starts with or contains it (staging-shared), or the closest by edits.
func suggestRule(id string, rs []Rule) string {
	if len(id) >= 4 {
		for _, r := range rs {
			if strings.Contains(r.ID, id) {
				return r.ID
			}
		}
	}
	return diag.Suggest(id, ruleIDs(rs))
}

func ruleIDs(rs []Rule) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// quote renders a name in a message.
func quote(s string) string { return `"` + s + `"` }
