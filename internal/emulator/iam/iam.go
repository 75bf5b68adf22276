// Package iam is the local AWS's Identity and Access Management service
// (AWS Query protocol, API version 2010-05-08): users, groups, roles,
// managed and inline policies, attachments, access keys, login profiles,
// virtual MFA devices, OpenID Connect providers, instance profiles, account
// aliases, password policies, the credential report and the policy
// simulator, each account isolated by the caller's account id. iam.go holds
// the operation table; principal_policies.go what the rest of the local AWS
// reads from IAM.
//
// Handlers read and write the request's store transaction only; they never
// see HTTP, never read the wall clock (Request.Now) and draw randomness from
// Config.Rand. Access keys are published to the front end through
// service.CredentialTable. The policy simulator evaluates with
// internal/policy. The package must not import the front end
// (internal/emulator) or another service other than through
// internal/emulator/service.
package iam

import (
	"crypto/rand"
	"io"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Config configures the IAM service.
type Config struct {
	// Rand is the source of unique ids, secret keys and MFA seeds;
	// crypto/rand.Reader when nil. Tests pass a deterministic reader.
	Rand io.Reader
}

// Service is the emulated IAM.
type Service struct {
	rand io.Reader
}

// New returns the IAM service.
func New(cfg Config) *Service {
	r := cfg.Rand
	if r == nil {
		r = rand.Reader
	}
	return &Service{rand: r}
}

// Spec describes IAM to the front end.
func (s *Service) Spec() service.Spec {
	return service.Spec{
		Name:         "iam",
		Protocol:     service.Query,
		APIVersion:   "2010-05-08",
		XMLNamespace: "https://iam.amazonaws.com/doc/2010-05-08/",
		Operations:   s.operations(),
	}
}

func (s *Service) operations() map[string]service.Operation {
	read := func(h service.Handler) service.Operation { return service.Operation{Handler: h} }
	write := func(h service.Handler) service.Operation { return service.Operation{Handler: h, Mutates: true} }
	return map[string]service.Operation{
		// users
		"CreateUser":                     write(s.createUser),
		"GetUser":                        read(s.getUserOp),
		"ListUsers":                      read(s.listUsers),
		"UpdateUser":                     write(s.updateUser),
		"DeleteUser":                     write(s.deleteUser),
		"TagUser":                        write(s.userTags(addTags)),
		"UntagUser":                      write(s.userTags(dropTags)),
		"ListUserTags":                   read(s.userTags(listTags)),
		"PutUserPermissionsBoundary":     write(s.putUserPermissionsBoundary),
		"DeleteUserPermissionsBoundary":  write(s.deleteUserPermissionsBoundary),
		"CreateLoginProfile":             write(s.createLoginProfile),
		"GetLoginProfile":                read(s.getLoginProfile),
		"UpdateLoginProfile":             write(s.updateLoginProfile),
		"DeleteLoginProfile":             write(s.deleteLoginProfile),
		"ChangePassword":                 write(s.changePassword),
		"ListSigningCertificates":        read(s.emptyUserList("Certificates")),
		"ListSSHPublicKeys":              read(s.emptyUserList("SSHPublicKeys")),
		"ListServiceSpecificCredentials": read(s.emptyUserList("ServiceSpecificCredentials")),
		// groups
		"CreateGroup":         write(s.createGroup),
		"GetGroup":            read(s.getGroupOp),
		"ListGroups":          read(s.listGroups),
		"UpdateGroup":         write(s.updateGroup),
		"DeleteGroup":         write(s.deleteGroup),
		"AddUserToGroup":      write(s.addUserToGroup),
		"RemoveUserFromGroup": write(s.removeUserFromGroup),
		"ListGroupsForUser":   read(s.listGroupsForUser),
		// roles
		"CreateRole":                    write(s.createRoleOp),
		"GetRole":                       read(s.getRoleOp),
		"ListRoles":                     read(s.listRoles),
		"UpdateRole":                    write(s.updateRole),
		"UpdateRoleDescription":         write(s.updateRoleDescription),
		"UpdateAssumeRolePolicy":        write(s.updateAssumeRolePolicy),
		"DeleteRole":                    write(s.deleteRole),
		"PutRolePermissionsBoundary":    write(s.putRolePermissionsBoundary),
		"DeleteRolePermissionsBoundary": write(s.deleteRolePermissionsBoundary),
		"TagRole":                       write(s.roleTags(addTags)),
		"UntagRole":                     write(s.roleTags(dropTags)),
		"ListRoleTags":                  read(s.roleTags(listTags)),
		"ListInstanceProfilesForRole":   read(s.listInstanceProfilesForRole),
		// instance profiles
		"CreateInstanceProfile":         write(s.createInstanceProfile),
		"GetInstanceProfile":            read(s.getInstanceProfile),
		"DeleteInstanceProfile":         write(s.deleteInstanceProfile),
		"ListInstanceProfiles":          read(s.listInstanceProfiles),
		"AddRoleToInstanceProfile":      write(s.addRoleToInstanceProfile),
		"RemoveRoleFromInstanceProfile": write(s.removeRoleFromInstanceProfile),
		"TagInstanceProfile":            write(s.instanceProfileTags(addTags)),
		"UntagInstanceProfile":          write(s.instanceProfileTags(dropTags)),
		"ListInstanceProfileTags":       read(s.instanceProfileTags(listTags)),
		// managed policies
		"CreatePolicy":            write(s.createPolicy),
		"GetPolicy":               read(s.getPolicy),
		"DeletePolicy":            write(s.deletePolicy),
		"ListPolicies":            read(s.listPolicies),
		"CreatePolicyVersion":     write(s.createPolicyVersion),
		"GetPolicyVersion":        read(s.getPolicyVersion),
		"ListPolicyVersions":      read(s.listPolicyVersions),
		"DeletePolicyVersion":     write(s.deletePolicyVersion),
		"SetDefaultPolicyVersion": write(s.setDefaultPolicyVersion),
		"TagPolicy":               write(s.policyTags(addTags)),
		"UntagPolicy":             write(s.policyTags(dropTags)),
		"ListPolicyTags":          read(s.policyTags(listTags)),
		// inline policies
		"PutUserPolicy":     write(s.putInlinePolicy(kindUser)),
		"GetUserPolicy":     read(s.getInlinePolicy(kindUser)),
		"DeleteUserPolicy":  write(s.deleteInlinePolicy(kindUser)),
		"ListUserPolicies":  read(s.listInlinePolicies(kindUser)),
		"PutGroupPolicy":    write(s.putInlinePolicy(kindGroup)),
		"GetGroupPolicy":    read(s.getInlinePolicy(kindGroup)),
		"DeleteGroupPolicy": write(s.deleteInlinePolicy(kindGroup)),
		"ListGroupPolicies": read(s.listInlinePolicies(kindGroup)),
		"PutRolePolicy":     write(s.putInlinePolicy(kindRole)),
		"GetRolePolicy":     read(s.getInlinePolicy(kindRole)),
		"DeleteRolePolicy":  write(s.deleteInlinePolicy(kindRole)),
		"ListRolePolicies":  read(s.listInlinePolicies(kindRole)),
		// attachments
		"AttachUserPolicy":          write(s.attachPolicy(kindUser)),
		"DetachUserPolicy":          write(s.detachPolicy(kindUser)),
		"ListAttachedUserPolicies":  read(s.listAttachedPolicies(kindUser)),
		"AttachGroupPolicy":         write(s.attachPolicy(kindGroup)),
		"DetachGroupPolicy":         write(s.detachPolicy(kindGroup)),
		"ListAttachedGroupPolicies": read(s.listAttachedPolicies(kindGroup)),
		"AttachRolePolicy":          write(s.attachPolicy(kindRole)),
		"DetachRolePolicy":          write(s.detachPolicy(kindRole)),
		"ListAttachedRolePolicies":  read(s.listAttachedPolicies(kindRole)),
		"ListEntitiesForPolicy":     read(s.listEntitiesForPolicy),
		// access keys
		"CreateAccessKey":      write(s.createAccessKey),
		"ListAccessKeys":       read(s.listAccessKeys),
		"UpdateAccessKey":      write(s.updateAccessKey),
		"DeleteAccessKey":      write(s.deleteAccessKey),
		"GetAccessKeyLastUsed": read(s.getAccessKeyLastUsed),
		// MFA
		"CreateVirtualMFADevice": write(s.createVirtualMFADevice),
		"EnableMFADevice":        write(s.enableMFADevice),
		"DeactivateMFADevice":    write(s.deactivateMFADevice),
		"DeleteVirtualMFADevice": write(s.deleteVirtualMFADevice),
		"ListMFADevices":         read(s.listMFADevices),
		"ListVirtualMFADevices":  read(s.listVirtualMFADevices),
		"GetMFADevice":           read(s.getMFADevice),
		"ResyncMFADevice":        write(s.resyncMFADevice),
		"TagMFADevice":           write(s.mfaTags(addTags)),
		"UntagMFADevice":         write(s.mfaTags(dropTags)),
		"ListMFADeviceTags":      read(s.mfaTags(listTags)),
		// account
		"CreateAccountAlias":                 write(s.createAccountAlias),
		"DeleteAccountAlias":                 write(s.deleteAccountAlias),
		"ListAccountAliases":                 read(s.listAccountAliases),
		"UpdateAccountPasswordPolicy":        write(s.updateAccountPasswordPolicy),
		"GetAccountPasswordPolicy":           read(s.getAccountPasswordPolicy),
		"DeleteAccountPasswordPolicy":        write(s.deleteAccountPasswordPolicy),
		"GetAccountSummary":                  read(s.getAccountSummary),
		"SetSecurityTokenServicePreferences": write(s.setSecurityTokenServicePreferences),
		"GetAccountAuthorizationDetails":     read(s.getAccountAuthorizationDetails),
		// credential report
		"GenerateCredentialReport": write(s.generateCredentialReport),
		"GetCredentialReport":      read(s.getCredentialReport),
		// policy simulator
		"SimulatePrincipalPolicy": read(s.simulatePrincipalPolicy),
		"SimulateCustomPolicy":    read(s.simulateCustomPolicy),
		// OpenID Connect providers
		"CreateOpenIDConnectProvider":             write(s.createOIDCProvider),
		"GetOpenIDConnectProvider":                read(s.getOIDCProvider),
		"ListOpenIDConnectProviders":              read(s.listOIDCProviders),
		"DeleteOpenIDConnectProvider":             write(s.deleteOIDCProvider),
		"AddClientIDToOpenIDConnectProvider":      write(s.updateOIDC(addClientID)),
		"RemoveClientIDFromOpenIDConnectProvider": write(s.updateOIDC(removeClientID)),
		"UpdateOpenIDConnectProviderThumbprint":   write(s.updateOIDC(updateThumbprints)),
		"TagOpenIDConnectProvider":                write(s.updateOIDC(oidcTags(addTags))),
		"UntagOpenIDConnectProvider":              write(s.updateOIDC(oidcTags(dropTags))),
		"ListOpenIDConnectProviderTags":           read(s.listOIDCProviderTags),
	}
}
