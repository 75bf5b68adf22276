package iam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Smaller operations around users and MFA devices.

// emptyUserList answers List operations for user credentials the local
// AWS cannot create (signing certificates, SSH public keys, service-specific
// credentials): the list is always empty, but the user must exist, as in
// AWS. Tools such as Terraform call them before deleting a user.
func (s *Service) emptyUserList(member string) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		// ListServiceSpecificCredentials' ServiceName filter has
		// nothing to filter.
		if _, _, err := s.ownerPage(ctx, r); err != nil {
			return nil, err
		}
		switch member {
		case "Certificates":
			return struct {
				Certificates []struct{} `xml:"Certificates>member"`
				pageInfo
			}{}, nil
		case "SSHPublicKeys":
			return struct {
				SSHPublicKeys []struct{} `xml:"SSHPublicKeys>member"`
				pageInfo
			}{}, nil
		}
		// Older models (botocore's) have no IsTruncated here; an empty
		// list never is truncated, so it is left out.
		return struct {
			ServiceSpecificCredentials []struct{} `xml:"ServiceSpecificCredentials>member"`
		}{}, nil
	}
}

func (s *Service) getMFADevice(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		SerialNumber string
		UserName     string
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.SerialNumber == "" {
		return nil, missing("SerialNumber")
	}
	if err := r.Authorize(ctx, service.Authz{Resource: in.SerialNumber}); err != nil {
		return nil, err
	}
	d, err := getMFA(r.Tx, r.Caller.Account, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	if d.UserID == "" || in.UserName != "" && !equalFold(in.UserName, d.User) {
		return nil, noSuchEntity("MFA Device with serial number %s is not enabled.", in.SerialNumber)
	}
	return struct {
		UserName     string       `xml:"UserName"`
		SerialNumber string       `xml:"SerialNumber"`
		EnableDate   service.Time `xml:"EnableDate"`
	}{d.User, d.Serial, service.Time(d.EnableDate)}, nil
}

// changePassword lets an IAM user change its own console password
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ChangePassword.html).
func (s *Service) changePassword(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		OldPassword string
		NewPassword string
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.OldPassword == "" {
		return nil, missing("OldPassword")
	}
	if in.NewPassword == "" {
		return nil, missing("NewPassword")
	}
	if r.Caller.Type != "User" {
		return nil, service.BadRequest("InvalidUserType", "Only IAM users can change their password with ChangePassword.")
	}
	u, err := s.userForProfile(ctx, r, r.Caller.Name)
	if err != nil {
		return nil, err
	}
	lp := u.LoginProfile
	if lp == nil {
		return nil, noLoginProfile(u.Name)
	}
	sum := sha256.Sum256([]byte(lp.Salt + in.OldPassword))
	if hex.EncodeToString(sum[:]) != lp.Hash {
		return nil, service.Errorf(http.StatusForbidden, "AccessDenied", "Failed authentication: the old password is not correct.")
	}
	if err := s.setPassword(r, u, loginProfileInput{Password: in.NewPassword}); err != nil {
		return nil, err
	}
	return nil, putUser(r.Tx, r.Caller.Account, u)
}

func equalFold(a, b string) bool { return nameKey("", a) == nameKey("", b) }
