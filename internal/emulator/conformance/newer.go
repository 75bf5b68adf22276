package conformance

import (
	"reflect"

	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// sdkShapes pairs model shapes with aws-sdk-go-v2's types for them. The
// SDK is years newer than Debian's botocore models; a member or enum value
// the SDK knows but the installed model does not is AWS's, not a typo, and
// is reported as newer rather than as a violation.
var sdkShapes = map[string]map[string]reflect.Type{
	"organizations": {
		"Account":                 reflect.TypeFor[orgtypes.Account](),
		"OrganizationalUnit":      reflect.TypeFor[orgtypes.OrganizationalUnit](),
		"Organization":            reflect.TypeFor[orgtypes.Organization](),
		"Root":                    reflect.TypeFor[orgtypes.Root](),
		"Policy":                  reflect.TypeFor[orgtypes.Policy](),
		"PolicySummary":           reflect.TypeFor[orgtypes.PolicySummary](),
		"PolicyTargetSummary":     reflect.TypeFor[orgtypes.PolicyTargetSummary](),
		"PolicyTypeSummary":       reflect.TypeFor[orgtypes.PolicyTypeSummary](),
		"CreateAccountStatus":     reflect.TypeFor[orgtypes.CreateAccountStatus](),
		"DelegatedAdministrator":  reflect.TypeFor[orgtypes.DelegatedAdministrator](),
		"DelegatedService":        reflect.TypeFor[orgtypes.DelegatedService](),
		"EffectivePolicy":         reflect.TypeFor[orgtypes.EffectivePolicy](),
		"EnabledServicePrincipal": reflect.TypeFor[orgtypes.EnabledServicePrincipal](),
		"Handshake":               reflect.TypeFor[orgtypes.Handshake](),
		"ResourcePolicy":          reflect.TypeFor[orgtypes.ResourcePolicy](),
		"ResourcePolicySummary":   reflect.TypeFor[orgtypes.ResourcePolicySummary](),
		"Parent":                  reflect.TypeFor[orgtypes.Parent](),
		"Child":                   reflect.TypeFor[orgtypes.Child](),
	},
	"iam": {
		"User":                reflect.TypeFor[iamtypes.User](),
		"Role":                reflect.TypeFor[iamtypes.Role](),
		"Group":               reflect.TypeFor[iamtypes.Group](),
		"Policy":              reflect.TypeFor[iamtypes.Policy](),
		"PolicyVersion":       reflect.TypeFor[iamtypes.PolicyVersion](),
		"AccessKey":           reflect.TypeFor[iamtypes.AccessKey](),
		"AccessKeyMetadata":   reflect.TypeFor[iamtypes.AccessKeyMetadata](),
		"AccessKeyLastUsed":   reflect.TypeFor[iamtypes.AccessKeyLastUsed](),
		"VirtualMFADevice":    reflect.TypeFor[iamtypes.VirtualMFADevice](),
		"MFADevice":           reflect.TypeFor[iamtypes.MFADevice](),
		"PasswordPolicy":      reflect.TypeFor[iamtypes.PasswordPolicy](),
		"RoleDetail":          reflect.TypeFor[iamtypes.RoleDetail](),
		"UserDetail":          reflect.TypeFor[iamtypes.UserDetail](),
		"GroupDetail":         reflect.TypeFor[iamtypes.GroupDetail](),
		"ManagedPolicyDetail": reflect.TypeFor[iamtypes.ManagedPolicyDetail](),
		"RoleLastUsed":        reflect.TypeFor[iamtypes.RoleLastUsed](),
	},
	"sts": {
		"Credentials":     reflect.TypeFor[ststypes.Credentials](),
		"AssumedRoleUser": reflect.TypeFor[ststypes.AssumedRoleUser](),
	},
}

// sdkEnums are the SDK's enum values, by service.
func sdkEnums(service string) []string {
	var vs []string
	add := func(values ...string) { vs = append(vs, values...) }
	str := func(v any) {
		rv := reflect.ValueOf(v).MethodByName("Values").Call(nil)[0]
		for i := range rv.Len() {
			add(rv.Index(i).String())
		}
	}
	switch service {
	case "organizations":
		for _, v := range []any{orgtypes.PolicyType(""), orgtypes.EffectivePolicyType(""), orgtypes.AccountStatus(""), orgtypes.AccountState(""),
			orgtypes.AccountJoinedMethod(""), orgtypes.CreateAccountState(""), orgtypes.CreateAccountFailureReason(""), orgtypes.PolicyTypeStatus(""),
			orgtypes.HandshakeState(""), orgtypes.ActionType(""), orgtypes.TargetType(""), orgtypes.ParentType(""), orgtypes.ChildType(""),
			orgtypes.OrganizationFeatureSet(""), orgtypes.HandshakePartyType(""), orgtypes.HandshakeResourceType("")} {
			str(v)
		}
	case "iam":
		for _, v := range []any{iamtypes.SummaryKeyType(""), iamtypes.StatusType(""), iamtypes.PermissionsBoundaryAttachmentType(""),
			iamtypes.PolicyScopeType(""), iamtypes.EntityType(""), iamtypes.AssignmentStatusType(""), iamtypes.PolicyUsageType("")} {
			str(v)
		}
	}
	return vs
}

// allowSDKNewer lets m accept what aws-sdk-go-v2 knows of service beyond m.
func allowSDKNewer(service string, m *Model) {
	for shape, t := range sdkShapes[service] {
		s := m.Shapes[shape]
		if s == nil || s.Type != "structure" {
			continue
		}
		for _, f := range reflect.VisibleFields(t) {
			if f.IsExported() && s.Members[f.Name] == nil {
				m.AllowMembers(shape, f.Name)
			}
		}
	}
	m.AllowEnumValues(sdkEnums(service)...)
}
