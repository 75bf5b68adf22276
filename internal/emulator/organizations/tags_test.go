package organizations_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
)

// TagResource, UntagResource, ListTagsForResource on every taggable
// resource (API_TagResource.html), at most 50 tags each.
func TestTags(t *testing.T) {
	h := start(t, organizations.Config{})
	h.createOrg()
	root := h.rootID()
	ou := h.createOU(root, "tagged")
	acct := h.createAccount("tagged")
	pol := h.createPolicy("tagged", types.PolicyTypeServiceControlPolicy, denyS3)
	list := func(id string) map[string]string {
		t.Helper()
		out, err := h.c.ListTagsForResource(h.ctx, &orgs.ListTagsForResourceInput{ResourceId: &id})
		if err != nil {
			t.Fatalf("ListTagsForResource %s: %v", id, err)
		}
		m := map[string]string{}
		for _, tg := range out.Tags {
			m[*tg.Key] = *tg.Value
		}
		return m
	}
	for _, id := range []string{root, ou, acct, pol} {
		_, err := h.c.TagResource(h.ctx, &orgs.TagResourceInput{ResourceId: aws.String(id), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}, {Key: aws.String("cost"), Value: aws.String("1")}}})
		if err != nil {
			t.Fatalf("TagResource %s: %v", id, err)
		}
		_, err = h.c.TagResource(h.ctx, &orgs.TagResourceInput{ResourceId: aws.String(id), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("b")}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := list(id); len(got) != 2 || got["team"] != "b" || got["cost"] != "1" {
			t.Errorf("tags of %s = %v", id, got)
		}
		if _, err := h.c.UntagResource(h.ctx, &orgs.UntagResourceInput{ResourceId: aws.String(id), TagKeys: []string{"cost"}}); err != nil {
			t.Fatal(err)
		}
		if got := list(id); len(got) != 1 || got["team"] != "b" {
			t.Errorf("tags of %s after untag = %v", id, got)
		}
	}
	_, err := h.c.TagResource(h.ctx, &orgs.TagResourceInput{ResourceId: aws.String("ou-zzzz-zzzzzzzz"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantErr(t, err, "TargetNotFoundException", "")
	_, err = h.c.TagResource(h.ctx, &orgs.TagResourceInput{ResourceId: &acct, Tags: []types.Tag{{Key: aws.String("aws:reserved"), Value: aws.String("v")}}})
	wantErr(t, err, "InvalidInputException", "INVALID_SYSTEM_TAGS_PARAMETER")
	_, err = h.c.TagResource(h.ctx, &orgs.TagResourceInput{ResourceId: aws.String("p-FullAWSAccess"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantErr(t, err, "InvalidInputException", "IMMUTABLE_POLICY")

	var many []types.Tag
	for i := 0; i < 50; i++ {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
	}
	_, err = h.c.TagResource(h.ctx, &orgs.TagResourceInput{ResourceId: &ou, Tags: many})
	wantErr(t, err, "ConstraintViolationException", "MAX_TAG_LIMIT_EXCEEDED") // 50 + "team"

	_, err = h.c.CreateOrganizationalUnit(h.ctx, &orgs.CreateOrganizationalUnitInput{ParentId: &root, Name: aws.String("many"), Tags: append(many, types.Tag{Key: aws.String("one-more"), Value: aws.String("v")})})
	wantErr(t, err, "ConstraintViolationException", "MAX_TAG_LIMIT_EXCEEDED")

	// Tags go with their resource.
	if _, err := h.c.DeleteOrganizationalUnit(h.ctx, &orgs.DeleteOrganizationalUnitInput{OrganizationalUnitId: &ou}); err != nil {
		t.Fatal(err)
	}
	_, err = h.c.ListTagsForResource(h.ctx, &orgs.ListTagsForResourceInput{ResourceId: &ou})
	wantErr(t, err, "TargetNotFoundException", "")
}
