package policy

import (
	"slices"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// rcpServices are the services resource control policies apply to; an RCP
// action outside them is an error when the policy is created.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
var rcpServices = []string{"s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-identity", "logs", "dynamodb"}

// statement parses and validates one statement. It returns nil only when
// the statement is so broken that evaluating it would be meaningless.
func (p *parser) statement(n *node, index int, path string) *Statement {
	s := &Statement{Index: index, Pos: n.pos}
	p.duplicateKeys(n, path)
	var effect, principal, notPrincipal, action, notAction, resource, notResource, condition *member
	for i := range n.members {
		m := &n.members[i]
		switch m.key {
		case "Sid":
			if m.value.kind != jsonString {
				p.errorf(m.value.pos, "bad-sid", path+".Sid", "Sid is an optional string naming the statement", "Sid is %s, want a string", m.value.kind)
				continue
			}
			s.Sid = m.value.str
		case "Effect":
			effect = m
		case "Principal":
			principal = m
		case "NotPrincipal":
			notPrincipal = m
		case "Action":
			action = m
		case "NotAction":
			notAction = m
		case "Resource":
			resource = m
		case "NotResource":
			notResource = m
		case "Condition":
			condition = m
		default:
			p.unknownKey(m, path, statementKeys)
		}
	}
	kind := p.opts.Kind

	// Effect.
	switch {
	case effect == nil:
		p.errorf(n.pos, "missing-effect", path+".Effect", `add "Effect": "Allow" or "Effect": "Deny"`, "statement has no Effect")
	case effect.value.kind != jsonString:
		p.errorf(effect.value.pos, "bad-effect", path+".Effect", `Effect is "Allow" or "Deny"`, "Effect is %s, want \"Allow\" or \"Deny\"", effect.value.kind)
	case effect.value.str == "Allow":
		s.Effect = Allow
	case effect.value.str == "Deny":
		s.Effect = Deny
	default:
		hint := `Effect is "Allow" or "Deny" (case-sensitive)`
		if sug := diag.Suggest(effect.value.str, []string{"Allow", "Deny"}); sug != "" {
			p.errorf(effect.value.pos, "bad-effect", path+".Effect", hint, "invalid Effect %q (did you mean %q?)", effect.value.str, sug)
		} else {
			p.errorf(effect.value.pos, "bad-effect", path+".Effect", hint, "invalid Effect %q", effect.value.str)
		}
	}

	// Principal / NotPrincipal.
	switch {
	case principal != nil && notPrincipal != nil:
		p.errorf(notPrincipal.keyPos, "principal-and-notprincipal", path, "use either Principal or NotPrincipal", "statement has both Principal and NotPrincipal")
	}
	if principal != nil {
		switch kind {
		case Identity:
			p.errorf(principal.keyPos, "principal-not-allowed", path+".Principal", "an identity policy applies to the identity it is attached to; remove Principal (or parse this document as a resource policy)", "Principal is not allowed in an identity policy")
		case SCP:
			p.errorf(principal.keyPos, "principal-not-allowed", path+".Principal", "SCPs apply to every principal of the accounts they are attached to; use a condition on aws:PrincipalArn instead", "Principal is not allowed in a service control policy")
		default:
			s.Principal = p.principals(principal.value, path+".Principal", "Principal")
		}
	}
	if notPrincipal != nil {
		switch kind {
		case Resource:
			s.Principal = p.principals(notPrincipal.value, path+".NotPrincipal", "NotPrincipal")
			s.NotPrincipal = true
			if effect != nil && s.Effect == Allow {
				p.errorf(notPrincipal.keyPos, "notprincipal-allow", path+".NotPrincipal", `NotPrincipal must be used with "Effect": "Deny"; prefer a Deny with an ArnNotEquals condition on aws:PrincipalArn`, "NotPrincipal with Allow is not supported")
			}
		default:
			p.errorf(notPrincipal.keyPos, "notprincipal-not-allowed", path+".NotPrincipal", "NotPrincipal is only supported in resource-based policies; use a Deny with an ArnNotEquals condition on aws:PrincipalArn", "NotPrincipal is not allowed in %s", kind.withArticle())
		}
	}
	if principal == nil && notPrincipal == nil && (kind == Resource || kind == Trust || kind == RCP) {
		p.errorf(n.pos, "missing-principal", path+".Principal", `a `+kind.String()+` must say whom it applies to: add "Principal": {"AWS": "arn:aws:iam::ACCOUNT:root"} or similar`, "statement has no Principal (%s needs one)", kind.withArticle())
	}
	if kind == RCP && s.Principal != nil && !s.Principal.All {
		p.errorf(principal.value.pos, "rcp-principal", path+".Principal", `use "Principal": "*" and narrow with conditions on aws:PrincipalArn or aws:PrincipalOrgID`, "in a resource control policy Principal must be \"*\"")
	}

	// Action / NotAction.
	switch {
	case action != nil && notAction != nil:
		p.errorf(notAction.keyPos, "action-and-notaction", path, "use either Action or NotAction", "statement has both Action and NotAction")
	case action == nil && notAction == nil:
		p.errorf(n.pos, "missing-action", path+".Action", `add "Action": "service:Operation" (or a list)`, "statement has no Action")
	}
	if action != nil {
		s.Actions = p.stringList(action.value, path+".Action", "Action")
		p.checkActions(s.Actions, positions(action.value), path+".Action")
	} else if notAction != nil {
		s.Actions = p.stringList(notAction.value, path+".NotAction", "NotAction")
		s.NotAction = true
		p.checkActions(s.Actions, positions(notAction.value), path+".NotAction")
		if kind == RCP {
			p.errorf(notAction.keyPos, "rcp-notaction", path+".NotAction", "list the denied actions in Action", "NotAction is not supported in resource control policies")
		}
	}

	// Resource / NotResource.
	switch {
	case resource != nil && notResource != nil:
		p.errorf(notResource.keyPos, "resource-and-notresource", path, "use either Resource or NotResource", "statement has both Resource and NotResource")
	case kind == Trust && (resource != nil || notResource != nil):
		m := resource
		if m == nil {
			m = notResource
		}
		p.errorf(m.keyPos, "resource-not-allowed", path+"."+m.key, "a trust policy is attached to the role it protects; remove "+m.key, "%s is not allowed in a trust policy", m.key)
	case resource == nil && notResource == nil && kind != Trust:
		p.errorf(n.pos, "missing-resource", path+".Resource", `add "Resource": "arn:aws:..." (or "*")`, "statement has no Resource")
	}
	if kind != Trust {
		if resource != nil {
			s.Resources = p.stringList(resource.value, path+".Resource", "Resource")
			s.HasResource = true
			p.checkResources(s.Resources, positions(resource.value), path+".Resource")
		} else if notResource != nil {
			s.Resources = p.stringList(notResource.value, path+".NotResource", "NotResource")
			s.NotResource, s.HasResource = true, true
			p.checkResources(s.Resources, positions(notResource.value), path+".NotResource")
		}
	}

	// RCPs: Allow only in the shape of RCPFullAWSAccess.
	if kind == RCP && effect != nil && s.Effect == Allow && !isFullAccess(s) {
		p.errorf(effect.value.pos, "rcp-allow", path+".Effect", `RCPs only restrict: write Deny statements; Allow is only supported in RCPFullAWSAccess ("Principal": "*", "Action": "*", "Resource": "*")`, "Allow is not supported in resource control policies")
	}

	if condition != nil {
		s.Conditions = p.conditions(condition.value, path+".Condition")
	}
	return s
}

// isFullAccess reports whether s is Allow * on * (for *), like the managed
// FullAWSAccess and RCPFullAWSAccess policies.
func isFullAccess(s *Statement) bool {
	return !s.NotAction && slices.Equal(s.Actions, []string{"*"}) && !s.NotResource &&
		slices.Equal(s.Resources, []string{"*"}) && len(s.Conditions) == 0
}

// checkActions validates action patterns: "*" or "service:pattern" where
// the service prefix has no wildcard.
func (p *parser) checkActions(actions []string, pos []diag.Pos, path string) {
	for i, a := range actions {
		at := pos[min(i, len(pos)-1)]
		if a == "*" {
			continue
		}
		svc, name, ok := strings.Cut(a, ":")
		switch {
		case !ok:
			p.errorf(at, "bad-action", path, `write actions as "service:Operation", e.g. "s3:GetObject", or "*" for all`, "action %q has no service prefix", a)
			continue
		case svc == "":
			p.errorf(at, "bad-action", path, `write actions as "service:Operation"`, "action %q has an empty service prefix", a)
			continue
		case strings.ContainsAny(svc, "*?"):
			p.errorf(at, "wildcard-service", path, `wildcards are allowed in the action name only: use "*" for all actions or "svc:*" for one service`, "wildcard in the service prefix of action %q", a)
			continue
		case name == "":
			p.errorf(at, "bad-action", path, `add the operation after the colon, or "svc:*"`, "action %q has an empty name", a)
			continue
		case strings.Contains(name, ":"):
			p.errorf(at, "bad-action", path, `write actions as "service:Operation"`, "action %q has more than one colon", a)
			continue
		}
		for _, c := range svc {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				p.errorf(at, "bad-action", path, "service prefixes are letters, digits and hyphens, e.g. s3, ec2, cognito-idp", "invalid service prefix %q in action %q", svc, a)
				break
			}
		}
		switch p.opts.Kind {
		case SCP:
			// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html#scp-syntax-action
			if i := strings.IndexAny(name, "*?"); i >= 0 && i != len(name)-1 {
				p.errorf(at, "scp-action-wildcard", path, `in an SCP a wildcard may only be the whole name or its last character, e.g. "ec2:Describe*"`, "wildcard in the middle of action %q", a)
			}
		case RCP:
			if !slices.Contains(rcpServices, strings.ToLower(svc)) {
				p.errorf(at, "rcp-service", path, "RCPs apply to "+strings.Join(rcpServices, ", "), "service %q is not supported by resource control policies", svc)
			}
		case Trust:
			if !strings.EqualFold(svc, "sts") {
				p.warnf(at, "trust-action", path, "trust policies grant sts:AssumeRole, sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:TagSession, sts:SetSourceIdentity, sts:SetContext", "action %q has no effect in a trust policy", a)
			}
		}
	}
}

// checkResources validates resource patterns: "*", or an ARN with at least
// six colon-separated parts. Policy variables are noted for the Version check.
func (p *parser) checkResources(res []string, pos []diag.Pos, path string) {
	for i, r := range res {
		at := pos[min(i, len(pos)-1)]
		p.checkVariables(r, at, path)
		if r == "*" {
			continue
		}
		if !strings.HasPrefix(r, "arn:") || strings.Count(r, ":") < 5 {
			if strings.HasPrefix(r, "arn:") || strings.Contains(r, "*") {
				p.errorf(at, "bad-resource", path, `resources are ARNs: "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE", or "*"`, "resource %q is not an ARN (want six colon-separated parts)", r)
			} else {
				p.errorf(at, "bad-resource", path, `resources are ARNs: "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE", or "*"`, "resource %q is not an ARN", r)
			}
		}
	}
}

// checkVariables validates the ${...} policy variables in s and records
// them for the Version check.
func (p *parser) checkVariables(s string, at diag.Pos, path string) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			p.errorf(at, "bad-variable", path, "policy variables look like ${aws:username} or ${aws:PrincipalTag/team, 'default'}", "unterminated policy variable in %q", s)
			return
		}
		body := s[i+2 : i+j]
		p.variables = append(p.variables, at)
		if _, _, err := parseVariable(body); err != "" {
			p.errorf(at, "bad-variable", path, "policy variables look like ${aws:username} or ${aws:PrincipalTag/team, 'default'}", "invalid policy variable ${%s}: %s", body, err)
		}
		s = s[i+j+1:]
	}
}
