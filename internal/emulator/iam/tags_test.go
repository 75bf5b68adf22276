package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

// TestTagsAndSmallUpdates covers the remaining tag operations, user
// boundaries and UpdateRoleDescription.
func TestTagsAndSmallUpdates(t *testing.T) {
	e := start(t)
	arn := call(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(doc("s3:*"))})).must(t).Policy.Arn
	call(e.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}})).must(t)
	call(e.iam.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"A"}})).must(t)
	page := call(e.iam.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: arn})).must(t)
	if diff := cmp.Diff(map[string]string{"b": "2"}, tagMap(page.Tags)); diff != "" {
		t.Errorf("policy tags (-want +got):\n%s", diff)
	}
	_, err := e.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	wantErr(t, err, "AccessDenied", 403)
	var many []types.Tag
	for i := range 50 {
		many = append(many, types.Tag{Key: aws.String(string(rune('A'+i/26)) + string(rune('a'+i%26))), Value: aws.String("v")})
	}
	_, err = e.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: arn, Tags: many})
	wantErr(t, err, "LimitExceeded", 409)

	provider := call(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://oidc.example.com")})).must(t).OpenIDConnectProviderArn
	call(e.iam.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: provider, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})).must(t)
	if tags := tagMap(call(e.iam.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: provider})).must(t).Tags); tags["k"] != "v" {
		t.Errorf("provider tags = %v", tags)
	}

	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")})).must(t)
	_, err = e.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	call(e.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("u"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})).must(t)
	u := call(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u")})).must(t).User
	if u.PermissionsBoundary == nil || aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn) != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("user boundary = %+v", u.PermissionsBoundary)
	}
	if n := aws.ToInt32(call(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")})).must(t).Policy.PermissionsBoundaryUsageCount); n != 0 {
		t.Errorf("PowerUserAccess boundary use after replacement = %d", n)
	}
	call(e.iam.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("u")})).must(t)
	_, err = e.iam.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("u")})
	wantErr(t, err, "NoSuchEntity", 404)

	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAccount(e.AccountID))})).must(t)
	role := call(e.iam.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("r"), Description: aws.String("runs things")})).must(t).Role
	if aws.ToString(role.Description) != "runs things" {
		t.Errorf("UpdateRoleDescription = %q", aws.ToString(role.Description))
	}
}

// TestTagOperations runs Tag*, Untag* and List*Tags of every taggable IAM
// resource through the same script: keys compare case-insensitively,
// listing pages with Marker/MaxItems, and a missing resource is
// NoSuchEntity (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html).
func TestTagOperations(t *testing.T) {
	e := start(t)
	tags := func(kv ...string) []types.Tag {
		var out []types.Tag
		for i := 0; i < len(kv); i += 2 {
			out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return out
	}
	type page struct {
		tags      []types.Tag
		truncated bool
		marker    *string
	}
	type ops struct {
		tag   func(name string, tags []types.Tag) error
		untag func(name string, keys []string) error
		list  func(name string, marker *string, max *int32) (page, error)
	}
	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAccount(e.AccountID))})).must(t)
	policy := aws.ToString(call(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(doc("s3:*"))})).must(t).Policy.Arn)
	serial := aws.ToString(call(e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("m")})).must(t).VirtualMFADevice.SerialNumber)
	provider := aws.ToString(call(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://tags.example.com")})).must(t).OpenIDConnectProviderArn)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})).must(t)
	call(e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")})).must(t)

	tests := []struct {
		name, existing, missing string
		ops                     ops
	}{
		{"user", "u", "nobody", ops{
			func(n string, tg []types.Tag) error {
				_, err := e.iam.TagUser(ctx, &iam.TagUserInput{UserName: &n, Tags: tg})
				return err
			},
			func(n string, k []string) error {
				_, err := e.iam.UntagUser(ctx, &iam.UntagUserInput{UserName: &n, TagKeys: k})
				return err
			},
			func(n string, m *string, max *int32) (page, error) {
				o, err := e.iam.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: &n, Marker: m, MaxItems: max})
				if err != nil {
					return page{}, err
				}
				return page{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		}},
		{"role", "r", "nobody", ops{
			func(n string, tg []types.Tag) error {
				_, err := e.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: &n, Tags: tg})
				return err
			},
			func(n string, k []string) error {
				_, err := e.iam.UntagRole(ctx, &iam.UntagRoleInput{RoleName: &n, TagKeys: k})
				return err
			},
			func(n string, m *string, max *int32) (page, error) {
				o, err := e.iam.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: &n, Marker: m, MaxItems: max})
				if err != nil {
					return page{}, err
				}
				return page{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		}},
		{"policy", policy, "arn:aws:iam::" + e.AccountID + ":policy/nothing", ops{
			func(n string, tg []types.Tag) error {
				_, err := e.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: &n, Tags: tg})
				return err
			},
			func(n string, k []string) error {
				_, err := e.iam.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: &n, TagKeys: k})
				return err
			},
			func(n string, m *string, max *int32) (page, error) {
				o, err := e.iam.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: &n, Marker: m, MaxItems: max})
				if err != nil {
					return page{}, err
				}
				return page{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		}},
		{"instance profile", "ip", "nothing", ops{
			func(n string, tg []types.Tag) error {
				_, err := e.iam.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: &n, Tags: tg})
				return err
			},
			func(n string, k []string) error {
				_, err := e.iam.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: &n, TagKeys: k})
				return err
			},
			func(n string, m *string, max *int32) (page, error) {
				o, err := e.iam.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: &n, Marker: m, MaxItems: max})
				if err != nil {
					return page{}, err
				}
				return page{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		}},
		{"mfa device", serial, "arn:aws:iam::" + e.AccountID + ":mfa/nothing", ops{
			func(n string, tg []types.Tag) error {
				_, err := e.iam.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: &n, Tags: tg})
				return err
			},
			func(n string, k []string) error {
				_, err := e.iam.UntagMFADevice(ctx, &iam.UntagMFADeviceInput{SerialNumber: &n, TagKeys: k})
				return err
			},
			func(n string, m *string, max *int32) (page, error) {
				o, err := e.iam.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: &n, Marker: m, MaxItems: max})
				if err != nil {
					return page{}, err
				}
				return page{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		}},
		{"oidc provider", provider, "arn:aws:iam::" + e.AccountID + ":oidc-provider/nothing.example.com", ops{
			func(n string, tg []types.Tag) error {
				_, err := e.iam.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: &n, Tags: tg})
				return err
			},
			func(n string, k []string) error {
				_, err := e.iam.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: &n, TagKeys: k})
				return err
			},
			func(n string, m *string, max *int32) (page, error) {
				o, err := e.iam.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: &n, Marker: m, MaxItems: max})
				if err != nil {
					return page{}, err
				}
				return page{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.ops
			if err := o.tag(tt.existing, tags("a", "1", "b", "2", "c", "3")); err != nil {
				t.Fatal(err)
			}
			// A key set again in other case replaces the value; untag
			// ignores case and absent keys.
			if err := o.tag(tt.existing, tags("A", "10")); err != nil {
				t.Fatal(err)
			}
			if err := o.untag(tt.existing, []string{"C", "absent"}); err != nil {
				t.Fatal(err)
			}
			first, err := o.list(tt.existing, nil, aws.Int32(1))
			if err != nil {
				t.Fatal(err)
			}
			if !first.truncated || first.marker == nil {
				t.Fatalf("first page of 1: truncated %v, marker %v", first.truncated, first.marker)
			}
			rest, err := o.list(tt.existing, first.marker, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rest.truncated {
				t.Error("last page truncated")
			}
			got := tagMap(append(first.tags, rest.tags...))
			if diff := cmp.Diff(map[string]string{"A": "10", "b": "2"}, got); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
			_, err = o.list(tt.missing, nil, nil)
			wantErr(t, err, "NoSuchEntity", 404)
			wantErr(t, o.tag(tt.missing, tags("k", "v")), "NoSuchEntity", 404)
			wantErr(t, o.untag(tt.missing, []string{"k"}), "NoSuchEntity", 404)
			var many []types.Tag
			for i := range 49 {
				many = append(many, types.Tag{Key: aws.String("k" + string(rune('a'+i/26)) + string(rune('a'+i%26))), Value: aws.String("v")})
			}
			wantErr(t, o.tag(tt.existing, many), "LimitExceeded", 409)
		})
	}

	// ListUserTags checks MaxItems before it looks the user up; the other
	// List*Tags look the resource up first.
	_, err := tests[0].ops.list("nobody", nil, aws.Int32(1001))
	wantErr(t, err, "ValidationError", 400)
	_, err = tests[1].ops.list("nobody", nil, aws.Int32(1001))
	wantErr(t, err, "NoSuchEntity", 404)
}
