package organizations_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// denyOUs records every authorization request and refuses any on an OU.
type denyOUs struct {
	mu   sync.Mutex
	seen []service.Authz
}

func (d *denyOUs) Authorize(_ context.Context, _ *service.Request, a service.Authz) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen = append(d.seen, a)
	if strings.Contains(a.Resource, ":ou/") {
		return service.BadRequest("AccessDeniedException", "denied by test")
	}
	return nil
}

// Handlers ask the authorizer with the resource's ARN, and before looking
// the resource up: a refused caller learns nothing about what exists.
func TestAuthorizeBeforeLookup(t *testing.T) {
	az := &denyOUs{}
	env := emulatortest.Start(t, func(o *emulator.Options) {
		o.Services = []service.Spec{organizations.New(organizations.Config{}).Spec()}
		o.Authorizer = az
	})
	c := orgs.NewFromConfig(env.Config)
	ctx := context.Background()
	o, err := c.CreateOrganization(ctx, &orgs.CreateOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeOrganizationalUnit(ctx, &orgs.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String("ou-zzzz-zzzzzzzz")})
	wantErr(t, err, "AccessDeniedException", "")
	_, err = c.ListAccountsForParent(ctx, &orgs.ListAccountsForParentInput{ParentId: aws.String("ou-zzzz-zzzzzzzz")})
	wantErr(t, err, "AccessDeniedException", "")
	if _, err := c.DescribeOrganization(ctx, &orgs.DescribeOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	last := az.seen[len(az.seen)-1]
	if last.Action != "organizations:DescribeOrganization" || last.Resource != *o.Organization.Arn || last.ResourceAccount != env.AccountID {
		t.Errorf("authorization request = %+v", last)
	}
}
