package iam

import (
	"context"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// IAM roles: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
// and neighbours.

const (
	maxRoleName = 64
	// Session duration bounds of a role (MaxSessionDuration), in seconds.
	minRoleSession     = 3600
	maxRoleSession     = 43200
	defaultRoleSession = 3600
	// trustPolicyQuota is the default size quota of a role trust policy
	// ("Role trust policy length", 2,048 characters).
	trustPolicyQuota = 2048
	maxDescription   = 1000
)

func checkMaxSession(v int) error {
	if v != 0 && (v < minRoleSession || v > maxRoleSession) {
		return validationError("maxSessionDuration", strconv.Itoa(v), "Member must have value between 3600 and 43200")
	}
	return nil
}

func checkDescription(v string) error {
	if utf8.RuneCountInString(v) > maxDescription {
		return validationError("description", v, "Member must have length less than or equal to 1000")
	}
	return nil
}

func checkTrustPolicy(tx store.Tx, doc string) error {
	if doc == "" {
		return missing("AssumeRolePolicyDocument")
	}
	if err := checkPolicy(doc, trustDoc, principalExists(tx)); err != nil {
		return err
	}
	if policySize(doc) > trustPolicyQuota {
		return limitExceeded("Cannot exceed quota for ACLSizePerRole: %d", trustPolicyQuota)
	}
	return nil
}

type roleOutput struct {
	Role roleOut `xml:"Role"`
}

func (s *Service) createRoleOp(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		Path                     string
		RoleName                 string
		AssumeRolePolicyDocument string
		Description              string
		MaxSessionDuration       int
		PermissionsBoundary      string
		Tags                     []Tag
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	path, err := checkNew("RoleName", in.RoleName, maxRoleName, in.Path)
	if err != nil {
		return nil, err
	}
	if err := checkMaxSession(in.MaxSessionDuration); err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	if err := authorizeNew(ctx, r, RoleARN(acct, path, in.RoleName), in.Tags, in.PermissionsBoundary); err != nil {
		return nil, err
	}
	if err := checkTrustPolicy(tx, in.AssumeRolePolicyDocument); err != nil {
		return nil, err
	}
	role, err := s.createRole(tx, acct, newRole{
		Name: in.RoleName, Path: path, Trust: in.AssumeRolePolicyDocument, Description: in.Description,
		MaxSession: in.MaxSessionDuration, Boundary: in.PermissionsBoundary, Tags: in.Tags,
	}, r.Now)
	if err != nil {
		return nil, err
	}
	o := role.out(acct, true)
	o.RoleLastUsed = nil
	return roleOutput{Role: o}, nil
}

type newRole struct {
	Name, Path, Trust, Description, Boundary string
	MaxSession                               int
	Tags                                     []Tag
}

// createRole stores a new, validated role.
func (s *Service) createRole(tx store.Tx, acct string, n newRole, now time.Time) (*roleRec, error) {
	if err := s.checkQuota(tx, tableRole, acct, quotaRoles, "Roles"); err != nil {
		return nil, err
	}
	id, err := s.uniqueID(prefixRole)
	if err != nil {
		return nil, err
	}
	if n.MaxSession == 0 {
		n.MaxSession = defaultRoleSession
	}
	role := &roleRec{Name: n.Name, Path: n.Path, ID: id, Created: now, TrustPolicy: n.Trust,
		Description: n.Description, MaxSessionDuration: n.MaxSession, Tags: n.Tags}
	if n.Boundary != "" {
		if err := setBoundary(tx, acct, kindRole, role.Name, role.ID, "", n.Boundary); err != nil {
			return nil, err
		}
		role.Boundary = n.Boundary
	}
	if err := insert(tx, tableRole, nameKey(acct, role.Name), role, alreadyExists("Role with name %s already exists.", role.Name)); err != nil {
		return nil, err
	}
	return role, nil
}

// roleFromInput decodes a RoleName-only input, loads the role and
// authorizes the request on it.
func (s *Service) roleFromInput(ctx context.Context, r *service.Request, in any, name func() string, az service.Authz) (*roleRec, error) {
	if err := r.Decode(in); err != nil {
		return nil, err
	}
	p, err := s.entity(ctx, r, kindRole, name(), az)
	if err != nil {
		return nil, err
	}
	return p.role, nil
}

func (s *Service) getRoleOp(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ RoleName string }
	role, err := s.roleFromInput(ctx, r, &in, func() string { return in.RoleName }, service.Authz{})
	if err != nil {
		return nil, err
	}
	return roleOutput{Role: role.out(r.Caller.Account, true)}, nil
}

func (s *Service) listRoles(ctx context.Context, r *service.Request) (any, error) {
	acct := r.Caller.Account
	roles, info, err := listByPath(ctx, r, tableRole, RoleARN(acct, "/", "*"), "list roles",
		func(role *roleRec) string { return role.Path },
		func(role *roleRec) (roleOut, error) { return role.out(acct, false), nil })
	if err != nil {
		return nil, err
	}
	return struct {
		Roles []roleOut `xml:"Roles>member"`
		pageInfo
	}{roles, info}, nil
}

func (s *Service) updateRole(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		RoleName           string
		Description        string
		MaxSessionDuration int
	}
	role, err := s.roleFromInput(ctx, r, &in, func() string { return in.RoleName }, service.Authz{})
	if err != nil {
		return nil, err
	}
	if err := checkMaxSession(in.MaxSessionDuration); err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	if in.Description != "" {
		role.Description = in.Description
	}
	if in.MaxSessionDuration != 0 {
		role.MaxSessionDuration = in.MaxSessionDuration
	}
	// UpdateRole has an (empty) output shape: clients expect an
	// <UpdateRoleResult/> element.
	return struct{}{}, putRole(r.Tx, r.Caller.Account, role)
}

func (s *Service) updateRoleDescription(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		RoleName    string
		Description string
	}
	role, err := s.roleFromInput(ctx, r, &in, func() string { return in.RoleName }, service.Authz{})
	if err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	role.Description = in.Description
	if err := putRole(r.Tx, r.Caller.Account, role); err != nil {
		return nil, err
	}
	return roleOutput{Role: role.out(r.Caller.Account, true)}, nil
}

func (s *Service) updateAssumeRolePolicy(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		RoleName       string
		PolicyDocument string
	}
	role, err := s.roleFromInput(ctx, r, &in, func() string { return in.RoleName }, service.Authz{})
	if err != nil {
		return nil, err
	}
	if in.PolicyDocument == "" {
		return nil, missing("PolicyDocument")
	}
	if err := checkTrustPolicy(r.Tx, in.PolicyDocument); err != nil {
		return nil, err
	}
	role.TrustPolicy = in.PolicyDocument
	return nil, putRole(r.Tx, r.Caller.Account, role)
}

func (s *Service) deleteRole(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ RoleName string }
	role, err := s.roleFromInput(ctx, r, &in, func() string { return in.RoleName }, service.Authz{})
	if err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	if err := checkNoPolicies(role.Inline, role.Attached); err != nil {
		return nil, err
	}
	if in, err := roleInInstanceProfile(tx, acct, role.Name); err != nil {
		return nil, err
	} else if in {
		return nil, deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
	}
	if role.Boundary != "" {
		if _, err := tx.Delete(tableBoundary, attachKey(acct, role.Boundary, kindRole, role.ID)); err != nil {
			return nil, internal("delete boundary", err)
		}
	}
	if _, err := tx.Delete(tableRole, nameKey(acct, role.Name)); err != nil {
		return nil, internal("delete role", err)
	}
	return nil, forgetPrincipal(tx, RoleARN(acct, role.Path, role.Name), role.ID)
}

func (s *Service) putRolePermissionsBoundary(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		RoleName            string
		PermissionsBoundary string
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.PermissionsBoundary == "" {
		return nil, missing("PermissionsBoundary")
	}
	az := service.Authz{Context: map[string][]string{"iam:PermissionsBoundary": {in.PermissionsBoundary}}}
	role, err := s.roleFromInput(ctx, r, &in, func() string { return in.RoleName }, az)
	if err != nil {
		return nil, err
	}
	acct := r.Caller.Account
	if err := setBoundary(r.Tx, acct, kindRole, role.Name, role.ID, role.Boundary, in.PermissionsBoundary); err != nil {
		return nil, err
	}
	role.Boundary = in.PermissionsBoundary
	return nil, putRole(r.Tx, acct, role)
}

func (s *Service) deleteRolePermissionsBoundary(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ RoleName string }
	role, err := s.roleFromInput(ctx, r, &in, func() string { return in.RoleName }, service.Authz{})
	if err != nil {
		return nil, err
	}
	if role.Boundary == "" {
		return nil, noSuchEntity("The role %s does not have a permissions boundary.", role.Name)
	}
	acct := r.Caller.Account
	if err := setBoundary(r.Tx, acct, kindRole, role.Name, role.ID, role.Boundary, ""); err != nil {
		return nil, err
	}
	role.Boundary = ""
	return nil, putRole(r.Tx, acct, role)
}
