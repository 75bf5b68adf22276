package lint

import (
	"path"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// checker holds the layout and the indexes the rules share.
type checker struct {
	l        *layout.Layout
	accounts map[string]*layout.Account
	routes   []route
}

func newChecker(l *layout.Layout) *checker {
	c := &checker{l: l, accounts: map[string]*layout.Account{}}
	for _, a := range l.Accounts {
		if a != nil {
			c.accounts[a.Name.Value] = a
		}
	}
	c.routes = c.computeRoutes()
	return c
}

// route is one way a stage rule sends stages to an account: one match
// pattern (after {developer} expansion) and the account it resolves to.
type route struct {
	rule    *layout.StageRule
	match   layout.Field[string] // the pattern as written, with its position
	stage   string               // the stage name or glob, developer filled in
	glob    bool                 // stage is a glob: many stage names take this route
	account *layout.Account
}

// isGlob reports whether a stage pattern matches more than one name.
func isGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// expand fills {developer} in a pattern and an account template once per
// developer, or returns them unchanged when the pattern has no placeholder.
func (c *checker) expand(pattern, account string) [][2]string {
	if !strings.Contains(pattern, "{developer}") && !strings.Contains(account, "{developer}") {
		return [][2]string{{pattern, account}}
	}
	var out [][2]string
	for _, d := range c.l.Developers {
		out = append(out, [2]string{
			strings.ReplaceAll(pattern, "{developer}", d.Value),
			strings.ReplaceAll(account, "{developer}", d.Value),
		})
	}
	return out
}

// computeRoutes resolves every stage rule's patterns to accounts, the way
// stage resolution does: rules in order, the first match wins, so a literal
// stage an earlier rule already matches is not a route of a later rule.
// What does not resolve (unknown accounts, placeholders without a source) is
// skipped: validation reports it.
func (c *checker) computeRoutes() []route {
	var out []route
	for i, r := range c.l.Stages {
		if r == nil {
			continue
		}
		for _, m := range r.Match {
			for _, pa := range c.expand(m.Value, r.Account.Value) {
				stage, tmpl := pa[0], pa[1]
				if strings.Contains(tmpl, "{developer}") {
					continue // no developer to fill it with
				}
				if !isGlob(stage) {
					if c.shadowed(i, stage) {
						continue
					}
					if a := c.accounts[strings.ReplaceAll(tmpl, "{stage}", stage)]; a != nil {
						out = append(out, route{rule: r, match: m, stage: stage, account: a})
					}
					continue
				}
				if !strings.Contains(tmpl, "{stage}") {
					if a := c.accounts[tmpl]; a != nil {
						out = append(out, route{rule: r, match: m, stage: stage, glob: true, account: a})
					}
					continue
				}
				// A glob routed to "{stage}": every account the template
				// makes from some stage name the glob matches is reachable,
				// one stage name each.
				pre, post, _ := strings.Cut(tmpl, "{stage}")
				for _, a := range c.l.Accounts {
					if a == nil {
						continue
					}
					name := a.Name.Value
					if len(name) < len(pre)+len(post) || !strings.HasPrefix(name, pre) || !strings.HasSuffix(name, post) {
						continue
					}
					st := name[len(pre) : len(name)-len(post)]
					if ok, _ := path.Match(stage, st); ok && !c.shadowed(i, st) {
						out = append(out, route{rule: r, match: m, stage: st, account: a})
					}
				}
			}
		}
	}
	return out
}

// shadowed reports whether a rule before index i matches the stage name, so
// that rule i never sees it (first match wins, as layout.MatchRule decides).
func (c *checker) shadowed(i int, stage string) bool {
	devs := c.l.DeveloperNames()
	for _, r := range c.l.Stages[:i] {
		if r == nil {
			continue
		}
		if _, ok := layout.MatchRule(r, stage, devs); ok {
			return true
		}
	}
	return false
}

// routesTo returns the routes that end in the named account, in rule order.
func (c *checker) routesTo(account string) []route {
	var out []route
	for _, r := range c.routes {
		if r.account.Name.Value == account {
			out = append(out, r)
		}
	}
	return out
}

// workload reports whether accounts of kind k run an application.
func workload(k layout.Kind) bool {
	switch k {
	case layout.KindProduction, layout.KindStaging, layout.KindDevelopment, layout.KindSandbox:
		return true
	}
	return false
}
