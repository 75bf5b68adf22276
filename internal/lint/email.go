package lint

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// The management-email-person heuristic (documented in docs/lint.md). An
// email looks like a person's when, in this order (the first that applies
// decides):
//
//  1. it is the email of someone under people;
//  2. its domain is a personal mailbox provider (gmail.com, outlook.com, ...);
//  3. its local part, before any +tag, starts or ends with a known person's
//     name (a developer, a group member, an entry of people): alice@,
//     alice.smith@, smith.alice@, alice+aws@;
//  4. (alias) a word of the local part before any +tag is a role word (aws,
//     admin, root, billing, cloud, ops, platform, security, ...) or contains
//     "aws" or "admin": aws@, cloud-admin@, it+root@;
//  5. the local part before any +tag has the shape firstname.lastname or
//     firstname_lastname: jane.doe@, jane.doe+aws@;
//  6. anything else is taken for an alias: the rule prefers silence to noise.

var personalProviders = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true,
	"live.com": true, "yahoo.com": true, "icloud.com": true, "me.com": true,
	"proton.me": true, "protonmail.com": true, "aol.com": true, "gmx.com": true, "gmx.de": true,
}

var roleWords = map[string]bool{
	"aws": true, "amazon": true, "admin": true, "admins": true, "administrator": true, "root": true,
	"billing": true, "cloud": true, "ops": true, "devops": true, "platform": true, "infra": true,
	"infrastructure": true, "it": true, "security": true, "sre": true, "team": true, "accounts": true,
	"account": true, "finance": true, "engineering": true, "tech": true, "master": true,
	"management": true, "org": true, "organization": true, "alerts": true, "sysadmin": true,
	"hostmaster": true, "postmaster": true, "webmaster": true, "noreply": true, "support": true,
}

var firstLast = regexp.MustCompile(`^[a-z]{2,}[._][a-z]{2,}$`)

// personEmail says why email looks like a person's, or "" when it looks
// like an alias.
func personEmail(email string, people map[string]bool, emails map[string]string) string {
	email = strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(email, '@')
	if at <= 0 {
		return "" // not an email: validation's business
	}
	local, domain := email[:at], email[at+1:]
	if who, ok := emails[email]; ok {
		return "it is the email of " + quote(who) + " under people"
	}
	if personalProviders[domain] {
		return domain + " is a personal mailbox provider"
	}
	base, _, _ := strings.Cut(local, "+")
	words := strings.FieldsFunc(base, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	if len(words) > 0 {
		for _, w := range []string{words[0], words[len(words)-1]} {
			if people[w] {
				return "its local part is the name of " + quote(w)
			}
		}
	}
	for _, w := range words {
		if roleWords[w] || strings.Contains(w, "aws") || strings.Contains(w, "admin") {
			return ""
		}
	}
	if firstLast.MatchString(base) {
		return "it has the shape firstname.lastname"
	}
	return ""
}

func checkManagementEmail(c *checker) []diag.Diagnostic {
	m := c.l.Organization.Management
	email, pos, path := m.Email.Value, m.Email.Pos, "organization.management.email"
	if a := c.accounts[m.Account.Value]; a != nil {
		if a.Email.IsSet() {
			email, pos, path = a.Email.Value, a.Email.Pos, "accounts."+a.Name.Value+".email"
		} else if email == "" {
			email = a.EffectiveEmail
		}
	}
	if email == "" {
		return nil
	}
	people := map[string]bool{}
	emails := map[string]string{}
	addPerson := func(n string) {
		if len(n) >= 2 {
			people[strings.ToLower(n)] = true
		}
	}
	for _, d := range c.l.Developers {
		addPerson(d.Value)
	}
	for _, g := range c.l.Groups {
		if g == nil {
			continue
		}
		for _, mem := range g.Members {
			addPerson(mem.Value)
		}
	}
	for _, p := range c.l.People {
		if p == nil {
			continue
		}
		addPerson(p.Name.Value)
		if p.Email.Value != "" {
			emails[strings.ToLower(p.Email.Value)] = p.Name.Value
		}
	}
	why := personEmail(email, people, emails)
	if why == "" {
		return nil
	}
	if pos.Line == 0 {
		pos = m.Pos
	}
	return []diag.Diagnostic{{
		Pos: pos, Path: path,
		Summary: fmt.Sprintf("the management account's email %s looks like a person's: %s", email, why),
		Hint:    "use an alias or distribution list the company owns, such as aws@" + email[strings.LastIndexByte(email, '@')+1:],
	}}
}
