package sts

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// GetFederationToken: temporary credentials for a federated user, whose
// permissions are the calling IAM user's intersected with the session
// policies passed (none passed: no permissions)
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html).
// The local AWS serves it to IAM users only; the root user, which AWS also
// allows, is refused.

func (s *Service) getFederationToken(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		Name            string
		Policy          string
		PolicyArns      []struct{ Arn string }
		DurationSeconds int
		Tags            []tagIn
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.Name == "" {
		return nil, validationError("name", "null", "Member must not be null")
	}
	if n := len(in.Name); n < 2 || n > 32 || !sessionNameChars().MatchString(in.Name) {
		return nil, validationError("name", in.Name, `Member must have length between 2 and 32 and satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	if d := in.DurationSeconds; d != 0 && (d < minSession || d > maxTokenSession) {
		return nil, validationError("durationSeconds", strconv.Itoa(d), "Member must have value greater than or equal to 900 and less than or equal to 129600")
	}
	// Reuse AssumeRole's checks of the session policies and tags.
	ar := assumeRoleInput{RoleArn: strings.Repeat("x", 20), RoleSessionName: in.Name, Policy: in.Policy, PolicyArns: in.PolicyArns, Tags: in.Tags}
	if err := ar.validate(); err != nil {
		return nil, err
	}
	caller := r.Caller
	switch {
	case caller.Type == "AssumedRole" || caller.Temporary:
		return nil, accessDenied("Cannot call GetFederationToken with session credentials")
	case caller.Type != "User":
		return nil, accessDenied("GetFederationToken is served to IAM users only in the local AWS; call it with an IAM user's access key")
	}
	arn := "arn:aws:sts::" + caller.Account + ":federated-user/" + in.Name
	if err := r.Authorize(ctx, service.Authz{Resource: arn}); err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for _, t := range in.Tags {
		tags[t.Key] = t.Value
	}
	if len(tags) > 0 {
		if err := r.Authorize(ctx, service.Authz{Action: "sts:TagSession", Resource: arn}); err != nil {
			return nil, err
		}
	} else {
		tags = nil
	}
	sessionPolicy, packed, err := sessionPolicies(r, caller.Account, ar, tags)
	if err != nil {
		return nil, err
	}
	d := in.DurationSeconds
	if d == 0 {
		d = defaultTokenSession
	}
	id := service.Identity{Account: caller.Account, ARN: arn, Type: "FederatedUser", UserID: caller.Account + ":" + in.Name,
		Name: caller.Name, SessionName: in.Name, SessionPolicy: sessionPolicy, SessionTags: tags}
	// Without a session policy the federated user may do nothing: the
	// policy engine gives federated users no permissions without one.
	creds, err := s.issue(r, id, time.Duration(d)*time.Second)
	if err != nil {
		return nil, fmt.Errorf("sts: %w", err)
	}
	type federatedUser struct {
		FederatedUserId string `xml:"FederatedUserId"`
		Arn             string `xml:"Arn"`
	}
	return struct {
		Credentials      credentialsOut `xml:"Credentials"`
		FederatedUser    federatedUser  `xml:"FederatedUser"`
		PackedPolicySize *int           `xml:"PackedPolicySize,omitempty"`
	}{creds, federatedUser{id.UserID, arn}, packed}, nil
}
