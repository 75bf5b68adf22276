package sts

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/iam"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// AssumeRole: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html.

var (
	sessionNameChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]*$`) })
	externalIDChars  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@:/-]*$`) })
	tagChars         = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`) })
	tokenCodeChars   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\d]*$`) })
)

const (
	minSession     = 900
	defaultSession = 3600
	// chainedMax is the one-hour cap of sessions made by role chaining
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
	chainedMax = 3600
	// packedLimit is the budget, in bytes of compacted session policies,
	// policy ARNs and session tags, that PackedPolicySize is a percentage
	// of. AWS packs these into a compressed binary form of unpublished size;
	// this is our stand-in.
	packedLimit = 2048
)

type tagIn struct {
	Key   string
	Value string
}

type assumeRoleInput struct {
	RoleArn           string
	RoleSessionName   string
	DurationSeconds   int
	ExternalId        string
	Policy            string
	PolicyArns        []struct{ Arn string }
	Tags              []tagIn
	TransitiveTagKeys []string
	SerialNumber      string
	TokenCode         string
	SourceIdentity    string
}

func (in *assumeRoleInput) validate() error {
	if in.RoleArn == "" {
		return validationError("roleArn", "null", "Member must not be null")
	}
	if n := len(in.RoleArn); n < 20 || n > 2048 {
		return validationError("roleArn", in.RoleArn, "Member must have length greater than or equal to 20 and less than or equal to 2048")
	}
	if in.RoleSessionName == "" {
		return validationError("roleSessionName", "null", "Member must not be null")
	}
	if n := len(in.RoleSessionName); n < 2 || n > 64 {
		return validationError("roleSessionName", in.RoleSessionName, "Member must have length greater than or equal to 2 and less than or equal to 64")
	}
	if !sessionNameChars().MatchString(in.RoleSessionName) {
		return validationError("roleSessionName", in.RoleSessionName, `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	if d := in.DurationSeconds; d != 0 && (d < minSession || d > 43200) {
		return validationError("durationSeconds", strconv.Itoa(d), "Member must have value greater than or equal to 900 and less than or equal to 43200")
	}
	if in.ExternalId != "" {
		if n := len(in.ExternalId); n < 2 || n > 1224 || !externalIDChars().MatchString(in.ExternalId) {
			return validationError("externalId", in.ExternalId, `Member must have length between 2 and 1224 and satisfy regular expression pattern: [\w+=,.@:\/-]*`)
		}
	}
	if n := utf8.RuneCountInString(in.Policy); n > 2048 {
		return validationError("policy", in.Policy, "Member must have length less than or equal to 2048")
	}
	if len(in.PolicyArns) > 10 {
		return validationError("policyArns", fmt.Sprint(len(in.PolicyArns)), "Member must have length less than or equal to 10")
	}
	if len(in.Tags) > 50 {
		return validationError("tags", fmt.Sprint(len(in.Tags)), "Member must have length less than or equal to 50")
	}
	keys := map[string]bool{}
	for i, t := range in.Tags {
		if t.Key == "" || utf8.RuneCountInString(t.Key) > 128 || !tagChars().MatchString(t.Key) {
			return validationError(fmt.Sprintf("tags.%d.member.key", i+1), t.Key, `Member must have length between 1 and 128 and satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
		}
		if utf8.RuneCountInString(t.Value) > 256 || !tagChars().MatchString(t.Value) {
			return validationError(fmt.Sprintf("tags.%d.member.value", i+1), t.Value, `Member must have length less than or equal to 256 and satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
		}
		k := strings.ToLower(t.Key)
		if keys[k] {
			return service.BadRequest("InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		keys[k] = true
	}
	if len(in.TransitiveTagKeys) > 50 {
		return validationError("transitiveTagKeys", fmt.Sprint(len(in.TransitiveTagKeys)), "Member must have length less than or equal to 50")
	}
	for _, k := range in.TransitiveTagKeys {
		if !keys[strings.ToLower(k)] {
			return service.BadRequest("InvalidParameterValue", "The transitive tag key %s is not one of the session tags passed in Tags.", k)
		}
	}
	if in.SerialNumber != "" && (len(in.SerialNumber) < 9 || len(in.SerialNumber) > 256) {
		return validationError("serialNumber", in.SerialNumber, "Member must have length greater than or equal to 9 and less than or equal to 256")
	}
	if in.TokenCode != "" && (len(in.TokenCode) != 6 || !tokenCodeChars().MatchString(in.TokenCode)) {
		return validationError("tokenCode", in.TokenCode, `Member must have length equal to 6 and satisfy regular expression pattern: [\d]*`)
	}
	if in.SourceIdentity != "" {
		if n := len(in.SourceIdentity); n < 2 || n > 64 || !sessionNameChars().MatchString(in.SourceIdentity) {
			return validationError("sourceIdentity", in.SourceIdentity, `Member must have length between 2 and 64 and satisfy regular expression pattern: [\w+=,.@-]*`)
		}
		if strings.HasPrefix(strings.ToLower(in.SourceIdentity), "aws:") {
			return validationError("sourceIdentity", in.SourceIdentity, "Member must not begin with the reserved prefix aws:")
		}
	}
	return nil
}

func notAuthorized(caller service.Identity, action, roleARN string) *service.Error {
	return accessDenied("User: %s is not authorized to perform: %s on resource: %s", caller.ARN, action, roleARN)
}

func (s *Service) assumeRole(ctx context.Context, r *service.Request) (any, error) {
	var in assumeRoleInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	caller, tx := r.Caller, r.Tx
	if caller.Type == "Root" && s.refuseRoot {
		return nil, accessDenied("Roles may not be assumed by root accounts.")
	}
	roleAccount := ""
	if a, ok := iam.ParseARN(in.RoleArn); ok {
		roleAccount = a.Account
	}
	if err := r.Authorize(ctx, service.Authz{Resource: in.RoleArn, ResourceAccount: roleAccount}); err != nil {
		return nil, err
	}
	// An unknown role gets the same answer as a refused one, as in AWS:
	// the caller learns nothing about another account's roles.
	role, found, err := iam.LookupRole(tx, in.RoleArn)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notAuthorized(caller, "sts:AssumeRole", in.RoleArn)
	}
	// Role chaining: AssumeRole with any temporary credentials, a role
	// session's or a GetSessionToken session's, is capped at one hour
	// (https://repost.aws/knowledge-center/iam-role-chaining-limit).
	chained := caller.Type == "AssumedRole" || caller.Temporary

	// The source identity, once set, stays for the whole chain.
	sourceIdentity := caller.SourceIdentity
	if in.SourceIdentity != "" {
		if sourceIdentity != "" && in.SourceIdentity != sourceIdentity {
			return nil, accessDenied("User: %s is not authorized to perform: sts:SetSourceIdentity on resource: %s: the session's source identity %q cannot be changed", caller.ARN, in.RoleArn, sourceIdentity)
		}
		sourceIdentity = in.SourceIdentity
	}

	mfa := caller.MFA
	if in.SerialNumber != "" || in.TokenCode != "" {
		ok, err := verifyMFA(r, in.SerialNumber, in.TokenCode)
		if err != nil {
			return nil, err
		}
		mfa = ok
	}

	tags, transitive, err := sessionTags(caller, in)
	if err != nil {
		return nil, err
	}

	tr := trustRequest{caller: caller, role: role, context: map[string][]string{
		"sts:RoleSessionName": {in.RoleSessionName},
	}}
	if mfa {
		tr.caller.MFA = true
	}
	if in.ExternalId != "" {
		tr.context["sts:ExternalId"] = []string{in.ExternalId}
	}
	if sourceIdentity != "" {
		tr.context["sts:SourceIdentity"] = []string{sourceIdentity}
	}
	for _, t := range in.Tags {
		tr.context["aws:RequestTag/"+t.Key] = []string{t.Value}
		tr.context["aws:TagKeys"] = append(tr.context["aws:TagKeys"], t.Key)
	}
	if len(in.TransitiveTagKeys) > 0 {
		tr.context["sts:TransitiveTagKeys"] = in.TransitiveTagKeys
	}
	actions := []string{"sts:AssumeRole"}
	if len(tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	l, err := layers(tx, tr)
	if err != nil {
		// A policy the evaluator cannot read, or a caller that no longer
		// exists: refuse, never allow by accident.
		return nil, notAuthorized(caller, "sts:AssumeRole", in.RoleArn)
	}
	set := policyNewSet(l)
	for _, a := range actions {
		if !allowed(set, tr, a, r) {
			return nil, notAuthorized(caller, a, in.RoleArn)
		}
	}

	d := in.DurationSeconds
	if d == 0 {
		d = defaultSession
	}
	if chained && d > chainedMax {
		return nil, service.BadRequest("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if d > role.MaxSessionDuration {
		return nil, service.BadRequest("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}

	sessionPolicy, packed, err := sessionPolicies(r, role.Account, in, tags)
	if err != nil {
		return nil, err
	}

	arn := "arn:aws:sts::" + role.Account + ":assumed-role/" + role.Name + "/" + in.RoleSessionName
	id := service.Identity{
		Account: role.Account, ARN: arn, Type: "AssumedRole", UserID: role.ID + ":" + in.RoleSessionName, Name: role.Name,
		RoleARN: role.ARN, SessionName: in.RoleSessionName, SourceIdentity: sourceIdentity, SessionPolicy: sessionPolicy,
		SessionTags: tags, TransitiveTagKeys: transitive, Chained: chained, MFA: mfa,
	}
	creds, err := s.issue(r, id, time.Duration(d)*time.Second)
	if err != nil {
		return nil, err
	}
	if err := iam.RecordRoleUse(tx, role, r); err != nil {
		return nil, err
	}
	type assumedRoleUser struct {
		AssumedRoleId string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	}
	return struct {
		Credentials      credentialsOut  `xml:"Credentials"`
		AssumedRoleUser  assumedRoleUser `xml:"AssumedRoleUser"`
		PackedPolicySize *int            `xml:"PackedPolicySize,omitempty"`
		SourceIdentity   string          `xml:"SourceIdentity,omitempty"`
	}{creds, assumedRoleUser{id.UserID, arn}, packed, sourceIdentity}, nil
}

// sessionTags are the new session's tags: the caller's transitive tags,
// which a chained session inherits and may not override
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining),
// plus the request's.
func sessionTags(caller service.Identity, in assumeRoleInput) (map[string]string, []string, error) {
	tags := map[string]string{}
	var transitive []string
	if caller.Type == "AssumedRole" {
		for _, k := range caller.TransitiveTagKeys {
			if v, ok := caller.SessionTags[k]; ok {
				tags[k] = v
				transitive = append(transitive, k)
			}
		}
	}
	for _, t := range in.Tags {
		for _, k := range transitive {
			if strings.EqualFold(k, t.Key) {
				return nil, nil, service.BadRequest("InvalidParameterValue", "The session tag %s is a transitive tag of the calling session and cannot be overridden in a role chain.", t.Key)
			}
		}
		tags[t.Key] = t.Value
	}
	for _, k := range in.TransitiveTagKeys {
		for _, t := range in.Tags {
			if strings.EqualFold(k, t.Key) {
				transitive = append(transitive, t.Key)
			}
		}
	}
	sort.Strings(transitive)
	if len(tags) == 0 {
		tags = nil
	}
	return tags, transitive, nil
}

// sessionPolicies validates the inline and managed session policies and
// merges them into one document (their statements together: a session is
// allowed what any of its session policies allows), and computes
// PackedPolicySize, which AWS returns only when session policies or tags
// were passed.
func sessionPolicies(r *service.Request, account string, in assumeRoleInput, tags map[string]string) (string, *int, error) {
	var statements []json.RawMessage
	packedBytes := 0
	// The packed size counts the inline policy's text and the managed
	// policies' ARNs, not their documents ("The plaintext that you use
	// for both inline and managed session policies can't exceed 2,048
	// characters").
	add := func(doc, what string, inline bool) error {
		if err := iam.CheckIdentityPolicy(doc); err != nil {
			if se, ok := err.(*service.Error); ok {
				return service.BadRequest("MalformedPolicyDocument", "%s: %s", what, se.Message)
			}
			return err
		}
		compact := iam.CompactPolicy(doc)
		if inline {
			packedBytes += len(compact)
		}
		var p struct {
			Statement json.RawMessage
		}
		if err := json.Unmarshal([]byte(compact), &p); err != nil {
			return service.BadRequest("MalformedPolicyDocument", "%s: Syntax errors in policy.", what)
		}
		if len(p.Statement) > 0 && p.Statement[0] == '[' {
			var list []json.RawMessage
			if err := json.Unmarshal(p.Statement, &list); err != nil {
				return service.BadRequest("MalformedPolicyDocument", "%s: Syntax errors in policy.", what)
			}
			statements = append(statements, list...)
		} else {
			statements = append(statements, p.Statement)
		}
		return nil
	}
	if in.Policy != "" {
		if err := add(in.Policy, "Policy", true); err != nil {
			return "", nil, err
		}
	}
	for _, pa := range in.PolicyArns {
		doc, ok, err := iam.ManagedPolicyDocument(r.Tx, account, pa.Arn)
		if err != nil {
			return "", nil, err
		}
		if !ok {
			return "", nil, service.BadRequest("MalformedPolicyDocument", "Policy %s does not exist or is not attachable.", pa.Arn)
		}
		if err := add(doc, pa.Arn, false); err != nil {
			return "", nil, err
		}
		packedBytes += len(pa.Arn)
	}
	for k, v := range tags {
		packedBytes += len(k) + len(v)
	}
	if in.Policy == "" && len(in.PolicyArns) == 0 && len(in.Tags) == 0 {
		return "", nil, nil
	}
	pct := (packedBytes*100 + packedLimit - 1) / packedLimit
	if pct > 100 {
		return "", nil, service.BadRequest("PackedPolicyTooLarge", "Packed policy consumes %d%% of allotted space, please use smaller policy.", pct)
	}
	if len(statements) == 0 {
		return "", &pct, nil
	}
	merged, err := json.Marshal(struct {
		Version   string
		Statement []json.RawMessage
	}{"2012-10-17", statements})
	if err != nil {
		return "", nil, err
	}
	return string(merged), &pct, nil
}

// verifyMFA checks an MFA serial number and code for the caller, an IAM
// user (only users have MFA devices in the local AWS).
func verifyMFA(r *service.Request, serial, code string) (bool, error) {
	if serial == "" || code == "" {
		return false, accessDenied("MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.")
	}
	if r.Caller.Type != "User" {
		return false, accessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code. ")
	}
	ok, err := iam.VerifyMFA(r.Tx, r.Caller.Account, r.Caller.UserID, serial, code, r.Now)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, accessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code. ")
	}
	return true, nil
}
