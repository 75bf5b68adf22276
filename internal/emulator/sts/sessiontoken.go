package sts

import (
	"context"
	"strconv"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// GetSessionToken: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html.
// Durations: 900 s to 129,600 s (36 hours) for IAM users, default 43,200;
// at most 3,600 s for the root user.

const (
	defaultTokenSession = 43200
	maxTokenSession     = 129600
	maxRootSession      = 3600
)

func (s *Service) getSessionToken(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		DurationSeconds int
		SerialNumber    string
		TokenCode       string
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if d := in.DurationSeconds; d != 0 && (d < minSession || d > maxTokenSession) {
		return nil, validationError("durationSeconds", strconv.Itoa(d), "Member must have value greater than or equal to 900 and less than or equal to 129600")
	}
	if in.SerialNumber != "" && (len(in.SerialNumber) < 9 || len(in.SerialNumber) > 256) {
		return nil, validationError("serialNumber", in.SerialNumber, "Member must have length greater than or equal to 9 and less than or equal to 256")
	}
	if in.TokenCode != "" && (len(in.TokenCode) != 6 || !tokenCodeChars().MatchString(in.TokenCode)) {
		return nil, validationError("tokenCode", in.TokenCode, `Member must have length equal to 6 and satisfy regular expression pattern: [\d]*`)
	}
	caller := r.Caller
	if caller.Type == "AssumedRole" || caller.Temporary {
		return nil, accessDenied("Cannot call GetSessionToken with session credentials")
	}
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	d := in.DurationSeconds
	if d == 0 {
		d = defaultTokenSession
	}
	if caller.Type == "Root" && d > maxRootSession {
		d = maxRootSession // AWS caps the root user's sessions silently
	}
	id := caller
	if in.SerialNumber != "" || in.TokenCode != "" {
		ok, err := verifyMFA(r, in.SerialNumber, in.TokenCode)
		if err != nil {
			return nil, err
		}
		id.MFA = ok
	}
	creds, err := s.issue(r, id, time.Duration(d)*time.Second)
	if err != nil {
		return nil, err
	}
	return struct {
		Credentials credentialsOut `xml:"Credentials"`
	}{creds}, nil
}
