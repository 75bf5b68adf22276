package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// IAMWrite is one IAM change in one account. Action is the IAM API
// operation's name ("CreateRole", "PutRolePolicy", ...); the other fields
// are its parameters, named as bulkhead's plan names them.
type IAMWrite struct {
	Action     string              `json:"action"`
	Role       string              `json:"role,omitempty"`
	User       string              `json:"user,omitempty"`
	Group      string              `json:"group,omitempty"`
	PolicyName string              `json:"policyName,omitempty"` // inline policy name
	PolicyARN  string              `json:"policyArn,omitempty"`  // managed policy or boundary ARN
	Document   string              `json:"document,omitempty"`   // trust or inline policy JSON
	MaxSession int32               `json:"maxSession,omitempty"` // CreateRole, UpdateRole
	Tags       map[string]string   `json:"tags,omitempty"`       // CreateRole, TagRole, CreateUser
	TagKeys    []string            `json:"tagKeys,omitempty"`    // UntagRole
	URL        string              `json:"url,omitempty"`        // OIDC provider host
	Password   *org.PasswordPolicy `json:"passwordPolicy,omitempty"`
	Alias      string              `json:"alias,omitempty"`
}

// GitHubThumbprints are the certificate thumbprints AWS documents for
// token.actions.githubusercontent.com; IAM no longer checks them for
// GitHub (it trusts its own CA library) but older API versions require
// one.
var gitHubThumbprints = []string{"6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"}

// WriteIAM performs one IAM change in the account with id accountID.
// Creations that find the entity already there return ErrAlreadyExists and
// deletions of what is gone ErrNotFound, as the Organizations methods do.
// DeleteRole and DeleteUser first remove what AWS requires gone before
// (inline and attached policies, group memberships, login profile, access
// keys).
func (c *Client) WriteIAM(ctx context.Context, accountID string, w IAMWrite) error {
	do := func(what string, send func(ctx context.Context, api *iam.Client) error) error {
		return c.iamDo(ctx, accountID, w.Action, what, send)
	}
	switch w.Action {
	case "CreateRole":
		in := &iam.CreateRoleInput{RoleName: &w.Role, AssumeRolePolicyDocument: &w.Document, Tags: iamSDKTags(w.Tags)}
		if w.MaxSession > 0 {
			in.MaxSessionDuration = aws.Int32(w.MaxSession)
		}
		if w.PolicyARN != "" {
			in.PermissionsBoundary = &w.PolicyARN
		}
		return do("create role "+w.Role, func(ctx context.Context, api *iam.Client) error { _, err := api.CreateRole(ctx, in); return err })
	case "UpdateAssumeRolePolicy":
		return do("update the trust of role "+w.Role, func(ctx context.Context, api *iam.Client) error {
			_, err := api.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: &w.Role, PolicyDocument: &w.Document})
			return err
		})
	case "UpdateRole":
		return do("update role "+w.Role, func(ctx context.Context, api *iam.Client) error {
			_, err := api.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: &w.Role, MaxSessionDuration: aws.Int32(w.MaxSession)})
			return err
		})
	case "PutRolePolicy":
		return do("put policy "+w.PolicyName+" on role "+w.Role, func(ctx context.Context, api *iam.Client) error {
			_, err := api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: &w.Role, PolicyName: &w.PolicyName, PolicyDocument: &w.Document})
			return err
		})
	case "DeleteRolePolicy":
		return do("delete policy "+w.PolicyName+" of role "+w.Role, func(ctx context.Context, api *iam.Client) error {
			_, err := api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &w.Role, PolicyName: &w.PolicyName})
			return err
		})
	case "AttachRolePolicy":
		return do("attach "+w.PolicyARN+" to role "+w.Role, func(ctx context.Context, api *iam.Client) error {
			_, err := api.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: &w.Role, PolicyArn: &w.PolicyARN})
			return err
		})
	case "DetachRolePolicy":
		return do("detach "+w.PolicyARN+" from role "+w.Role, func(ctx context.Context, api *iam.Client) error {
			_, err := api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: &w.Role, PolicyArn: &w.PolicyARN})
			return err
		})
	case "PutRolePermissionsBoundary":
		return do("set the boundary of role "+w.Role, func(ctx context.Context, api *iam.Client) error {
			_, err := api.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: &w.Role, PermissionsBoundary: &w.PolicyARN})
			return err
		})
	case "DeleteRolePermissionsBoundary":
		return do("remove the boundary of role "+w.Role, func(ctx context.Context, api *iam.Client) error {
			_, err := api.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: &w.Role})
			return err
		})
	case "TagRole":
		return do("tag role "+w.Role, func(ctx context.Context, api *iam.Client) error {
			_, err := api.TagRole(ctx, &iam.TagRoleInput{RoleName: &w.Role, Tags: iamSDKTags(w.Tags)})
			return err
		})
	case "UntagRole":
		return do("untag role "+w.Role, func(ctx context.Context, api *iam.Client) error {
			_, err := api.UntagRole(ctx, &iam.UntagRoleInput{RoleName: &w.Role, TagKeys: w.TagKeys})
			return err
		})
	case "DeleteRole":
		return c.deleteRole(ctx, accountID, w.Role)
	case "CreateUser":
		return do("create user "+w.User, func(ctx context.Context, api *iam.Client) error {
			_, err := api.CreateUser(ctx, &iam.CreateUserInput{UserName: &w.User, Tags: iamSDKTags(w.Tags)})
			return err
		})
	case "TagUser":
		return do("tag user "+w.User, func(ctx context.Context, api *iam.Client) error {
			_, err := api.TagUser(ctx, &iam.TagUserInput{UserName: &w.User, Tags: iamSDKTags(w.Tags)})
			return err
		})
	case "DeleteUser":
		return c.deleteUser(ctx, accountID, w.User)
	case "PutUserPolicy":
		return do("put policy "+w.PolicyName+" on user "+w.User, func(ctx context.Context, api *iam.Client) error {
			_, err := api.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: &w.User, PolicyName: &w.PolicyName, PolicyDocument: &w.Document})
			return err
		})
	case "DeleteUserPolicy":
		return do("delete policy "+w.PolicyName+" of user "+w.User, func(ctx context.Context, api *iam.Client) error {
			_, err := api.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: &w.User, PolicyName: &w.PolicyName})
			return err
		})
	case "CreateGroup":
		return do("create group "+w.Group, func(ctx context.Context, api *iam.Client) error {
			_, err := api.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: &w.Group})
			return err
		})
	case "DeleteGroup":
		return c.deleteGroup(ctx, accountID, w.Group)
	case "PutGroupPolicy":
		return do("put policy "+w.PolicyName+" on group "+w.Group, func(ctx context.Context, api *iam.Client) error {
			_, err := api.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: &w.Group, PolicyName: &w.PolicyName, PolicyDocument: &w.Document})
			return err
		})
	case "DeleteGroupPolicy":
		return do("delete policy "+w.PolicyName+" of group "+w.Group, func(ctx context.Context, api *iam.Client) error {
			_, err := api.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: &w.Group, PolicyName: &w.PolicyName})
			return err
		})
	case "AddUserToGroup":
		return do("add "+w.User+" to group "+w.Group, func(ctx context.Context, api *iam.Client) error {
			_, err := api.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: &w.User, GroupName: &w.Group})
			return err
		})
	case "RemoveUserFromGroup":
		return do("remove "+w.User+" from group "+w.Group, func(ctx context.Context, api *iam.Client) error {
			_, err := api.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: &w.User, GroupName: &w.Group})
			return err
		})
	case "CreateOpenIDConnectProvider":
		return do("create OIDC provider "+w.URL, func(ctx context.Context, api *iam.Client) error {
			_, err := api.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
				Url: aws.String("https://" + w.URL), ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: gitHubThumbprints})
			return err
		})
	case "UpdateAccountPasswordPolicy":
		pp := w.Password
		if pp == nil {
			return errors.New("update password policy: no policy")
		}
		in := &iam.UpdateAccountPasswordPolicyInput{
			MinimumPasswordLength: aws.Int32(pp.MinimumLength), RequireSymbols: pp.RequireSymbols, RequireNumbers: pp.RequireNumbers,
			RequireUppercaseCharacters: pp.RequireUppercase, RequireLowercaseCharacters: pp.RequireLowercase,
			AllowUsersToChangePassword: pp.AllowUsersToChangePassword,
		}
		if pp.MaxPasswordAge > 0 {
			in.MaxPasswordAge = aws.Int32(pp.MaxPasswordAge)
		}
		if pp.PasswordReusePrevention > 0 {
			in.PasswordReusePrevention = aws.Int32(pp.PasswordReusePrevention)
		}
		return do("update the password policy", func(ctx context.Context, api *iam.Client) error {
			_, err := api.UpdateAccountPasswordPolicy(ctx, in)
			return err
		})
	case "CreateAccountAlias":
		return do("create alias "+w.Alias, func(ctx context.Context, api *iam.Client) error {
			_, err := api.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: &w.Alias})
			return err
		})
	case "DeleteAccountAlias":
		return do("delete alias "+w.Alias, func(ctx context.Context, api *iam.Client) error {
			_, err := api.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: &w.Alias})
			return err
		})
	}
	return fmt.Errorf("IAM write: unknown action %q", w.Action)
}

// deleteRole removes a role's inline and attached policies, then the role
// (IAM refuses DeleteRole with DeleteConflict while policies remain).
func (c *Client) deleteRole(ctx context.Context, accountID, role string) error {
	api, err := c.iamFor(ctx, accountID)
	if err != nil {
		return err
	}
	var names []string
	var arns []string
	err = c.iamDo(ctx, accountID, "ListRolePolicies", "list policies of role "+role, func(ctx context.Context, _ *iam.Client) error {
		out, err := api.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: &role})
		if err == nil {
			names = out.PolicyNames
		}
		return err
	})
	if err != nil {
		return err
	}
	err = c.iamDo(ctx, accountID, "ListAttachedRolePolicies", "list attached policies of role "+role, func(ctx context.Context, _ *iam.Client) error {
		out, err := api.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: &role})
		if err == nil {
			for _, p := range out.AttachedPolicies {
				arns = append(arns, aws.ToString(p.PolicyArn))
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := c.WriteIAM(ctx, accountID, IAMWrite{Action: "DeleteRolePolicy", Role: role, PolicyName: n}); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	for _, a := range arns {
		if err := c.WriteIAM(ctx, accountID, IAMWrite{Action: "DetachRolePolicy", Role: role, PolicyARN: a}); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return c.iamDo(ctx, accountID, "DeleteRole", "delete role "+role, func(ctx context.Context, api *iam.Client) error {
		_, err := api.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: &role})
		return err
	})
}

// deleteUser removes what IAM requires gone before DeleteUser: group
// memberships, inline and attached policies, access keys, MFA devices,
// login profile (IAM API Reference, DeleteUser). Signing certificates, SSH
// keys and service-specific credentials are not removed: DeleteUser then
// fails with DeleteConflict, naming them.
func (c *Client) deleteUser(ctx context.Context, accountID, user string) error {
	api, err := c.iamFor(ctx, accountID)
	if err != nil {
		return err
	}
	var groups, policies, keys []string
	list := func(op string, f func(ctx context.Context) error) error {
		return c.iamDo(ctx, accountID, op, op+" of user "+user, func(ctx context.Context, _ *iam.Client) error { return f(ctx) })
	}
	if err := list("ListGroupsForUser", func(ctx context.Context) error {
		out, err := api.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: &user})
		if err == nil {
			for _, g := range out.Groups {
				groups = append(groups, aws.ToString(g.GroupName))
			}
		}
		return err
	}); err != nil {
		return err
	}
	if err := list("ListUserPolicies", func(ctx context.Context) error {
		out, err := api.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: &user})
		if err == nil {
			policies = out.PolicyNames
		}
		return err
	}); err != nil {
		return err
	}
	if err := list("ListAccessKeys", func(ctx context.Context) error {
		out, err := api.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &user})
		if err == nil {
			for _, k := range out.AccessKeyMetadata {
				keys = append(keys, aws.ToString(k.AccessKeyId))
			}
		}
		return err
	}); err != nil {
		return err
	}
	for _, g := range groups {
		if err := c.WriteIAM(ctx, accountID, IAMWrite{Action: "RemoveUserFromGroup", User: user, Group: g}); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	for _, p := range policies {
		if err := c.WriteIAM(ctx, accountID, IAMWrite{Action: "DeleteUserPolicy", User: user, PolicyName: p}); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	for _, k := range keys {
		if err := list("DeleteAccessKey", func(ctx context.Context) error {
			_, err := api.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &user, AccessKeyId: aws.String(k)})
			return err
		}); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	var attached, mfa []string
	if err := list("ListAttachedUserPolicies", func(ctx context.Context) error {
		out, err := api.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: &user})
		if err == nil {
			for _, p := range out.AttachedPolicies {
				attached = append(attached, aws.ToString(p.PolicyArn))
			}
		}
		return err
	}); err != nil {
		return err
	}
	if err := list("ListMFADevices", func(ctx context.Context) error {
		out, err := api.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: &user})
		if err == nil {
			for _, d := range out.MFADevices {
				mfa = append(mfa, aws.ToString(d.SerialNumber))
			}
		}
		return err
	}); err != nil {
		return err
	}
	for _, a := range attached {
		if err := list("DetachUserPolicy", func(ctx context.Context) error {
			_, err := api.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: &user, PolicyArn: aws.String(a)})
			return err
		}); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	// A person's MFA device is deactivated, and a virtual one deleted
	// (its serial is an ARN): IAM refuses DeleteUser while one is active.
	for _, serial := range mfa {
		if err := list("DeactivateMFADevice", func(ctx context.Context) error {
			_, err := api.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: &user, SerialNumber: aws.String(serial)})
			return err
		}); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if strings.HasPrefix(serial, "arn:") {
			if err := list("DeleteVirtualMFADevice", func(ctx context.Context) error {
				_, err := api.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
				return err
			}); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
	}
	if err := list("DeleteLoginProfile", func(ctx context.Context) error {
		_, err := api.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: &user})
		return err
	}); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return c.iamDo(ctx, accountID, "DeleteUser", "delete user "+user, func(ctx context.Context, api *iam.Client) error {
		_, err := api.DeleteUser(ctx, &iam.DeleteUserInput{UserName: &user})
		return err
	})
}

// deleteGroup removes a group's members and inline policies, then the group.
func (c *Client) deleteGroup(ctx context.Context, accountID, group string) error {
	api, err := c.iamFor(ctx, accountID)
	if err != nil {
		return err
	}
	var out *iam.GetGroupOutput
	if err := c.iamDo(ctx, accountID, "GetGroup", "read group "+group, func(ctx context.Context, _ *iam.Client) error {
		var err error
		out, err = api.GetGroup(ctx, &iam.GetGroupInput{GroupName: &group})
		return err
	}); err != nil {
		return err
	}
	for _, u := range out.Users {
		if err := c.WriteIAM(ctx, accountID, IAMWrite{Action: "RemoveUserFromGroup", User: aws.ToString(u.UserName), Group: group}); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	var names []string
	if err := c.iamDo(ctx, accountID, "ListGroupPolicies", "list policies of group "+group, func(ctx context.Context, _ *iam.Client) error {
		o, err := api.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: &group})
		if err == nil {
			names = o.PolicyNames
		}
		return err
	}); err != nil {
		return err
	}
	for _, n := range names {
		if err := c.WriteIAM(ctx, accountID, IAMWrite{Action: "DeleteGroupPolicy", Group: group, PolicyName: n}); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return c.iamDo(ctx, accountID, "DeleteGroup", "delete group "+group, func(ctx context.Context, api *iam.Client) error {
		_, err := api.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: &group})
		return err
	})
}

// iamSDKTags converts a tag map for IAM, sorted by key.
func iamSDKTags(tags map[string]string) []iamtypes.Tag {
	return sortedTags(tags, func(k, v string) iamtypes.Tag { return iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)} })
}
