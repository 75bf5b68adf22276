package organizations_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
)

// OUs (API_CreateOrganizationalUnit.html and neighbours) with the depth
// quota of orgs_reference_limits.html (5 levels under the root).
func TestOrganizationalUnits(t *testing.T) {
	h := start(t, organizations.Config{})
	o := h.createOrg()
	root := h.rootID()

	parent, path := root, *o.Id+"/"+root+"/"
	var chain []string
	for depth := 1; depth <= 5; depth++ {
		out, err := h.c.CreateOrganizationalUnit(h.ctx, &orgs.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(fmt.Sprintf("level%d", depth))})
		if err != nil {
			t.Fatalf("depth %d: %v", depth, err)
		}
		ou := out.OrganizationalUnit
		mustMatch(t, ouIDRe, ou.Id)
		path += *ou.Id + "/"
		if *ou.Path != path || *ou.Arn != "arn:aws:organizations::"+h.env.AccountID+":ou/"+*o.Id+"/"+*ou.Id {
			t.Errorf("OU = %+v", ou)
		}
		parent = *ou.Id
		chain = append(chain, parent)
	}
	_, err := h.c.CreateOrganizationalUnit(h.ctx, &orgs.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String("level6")})
	wantErr(t, err, "ConstraintViolationException", "OU_DEPTH_LIMIT_EXCEEDED")

	_, err = h.c.CreateOrganizationalUnit(h.ctx, &orgs.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("level1")})
	wantErr(t, err, "DuplicateOrganizationalUnitException", "")
	_, err = h.c.CreateOrganizationalUnit(h.ctx, &orgs.CreateOrganizationalUnitInput{ParentId: aws.String("ou-zzzz-zzzzzzzz"), Name: aws.String("x")})
	wantErr(t, err, "ParentNotFoundException", "")
	_, err = h.c.CreateOrganizationalUnit(h.ctx, &orgs.CreateOrganizationalUnitInput{ParentId: aws.String("123"), Name: aws.String("x")})
	wantErr(t, err, "InvalidInputException", "INVALID_PATTERN")

	// Rename, and a sibling can't take a used name.
	other := h.createOU(root, "other")
	_, err = h.c.UpdateOrganizationalUnit(h.ctx, &orgs.UpdateOrganizationalUnitInput{OrganizationalUnitId: aws.String(other), Name: aws.String("level1")})
	wantErr(t, err, "DuplicateOrganizationalUnitException", "")
	up, err := h.c.UpdateOrganizationalUnit(h.ctx, &orgs.UpdateOrganizationalUnitInput{OrganizationalUnitId: aws.String(other), Name: aws.String("renamed")})
	if err != nil || *up.OrganizationalUnit.Name != "renamed" {
		t.Fatalf("UpdateOrganizationalUnit: %+v %v", up, err)
	}
	d, err := h.c.DescribeOrganizationalUnit(h.ctx, &orgs.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(other)})
	if err != nil || *d.OrganizationalUnit.Name != "renamed" {
		t.Fatalf("DescribeOrganizationalUnit: %+v %v", d, err)
	}
	// The old name is free again; the new one is taken.
	freed := h.createOU(root, "other")
	_, err = h.c.CreateOrganizationalUnit(h.ctx, &orgs.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("renamed")})
	wantErr(t, err, "DuplicateOrganizationalUnitException", "")
	if _, err := h.c.DeleteOrganizationalUnit(h.ctx, &orgs.DeleteOrganizationalUnitInput{OrganizationalUnitId: &freed}); err != nil {
		t.Fatal(err)
	}
	h.createOU(other, "other") // names are per parent

	// Listings.
	ous, err := h.c.ListOrganizationalUnitsForParent(h.ctx, &orgs.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root)})
	if err != nil || len(ous.OrganizationalUnits) != 2 {
		t.Fatalf("ListOrganizationalUnitsForParent: %+v %v", ous, err)
	}
	acct := h.createAccount("member")
	kids, err := h.c.ListChildren(h.ctx, &orgs.ListChildrenInput{ParentId: aws.String(root), ChildType: types.ChildTypeAccount})
	if err != nil || len(kids.Children) != 2 {
		t.Fatalf("ListChildren ACCOUNT: %+v %v", kids, err)
	}
	kids, err = h.c.ListChildren(h.ctx, &orgs.ListChildrenInput{ParentId: aws.String(chain[0]), ChildType: types.ChildTypeOrganizationalUnit})
	if err != nil || len(kids.Children) != 1 || *kids.Children[0].Id != chain[1] || kids.Children[0].Type != types.ChildTypeOrganizationalUnit {
		t.Fatalf("ListChildren OU: %+v %v", kids, err)
	}
	_, err = h.c.ListChildren(h.ctx, &orgs.ListChildrenInput{ParentId: aws.String(root), ChildType: "BOTH"})
	wantErr(t, err, "InvalidInputException", "INVALID_ENUM")

	// Move the account to the deepest OU and back up.
	if _, err := h.c.MoveAccount(h.ctx, &orgs.MoveAccountInput{AccountId: &acct, SourceParentId: &root, DestinationParentId: &chain[4]}); err != nil {
		t.Fatal(err)
	}
	parents, err := h.c.ListParents(h.ctx, &orgs.ListParentsInput{ChildId: &acct})
	if err != nil || len(parents.Parents) != 1 || *parents.Parents[0].Id != chain[4] || parents.Parents[0].Type != types.ParentTypeOrganizationalUnit {
		t.Fatalf("ListParents account: %+v %v", parents, err)
	}
	parents, err = h.c.ListParents(h.ctx, &orgs.ListParentsInput{ChildId: &chain[0]})
	if err != nil || *parents.Parents[0].Id != root || parents.Parents[0].Type != types.ParentTypeRoot {
		t.Fatalf("ListParents OU: %+v %v", parents, err)
	}
	_, err = h.c.ListParents(h.ctx, &orgs.ListParentsInput{ChildId: aws.String("999999999999")})
	wantErr(t, err, "ChildNotFoundException", "")
	a, _ := h.c.DescribeAccount(h.ctx, &orgs.DescribeAccountInput{AccountId: &acct})
	if want := path + acct + "/"; a.Account.Paths[0] != want {
		t.Errorf("Paths = %v, want %s", a.Account.Paths, want)
	}
	under, err := h.c.ListAccountsForParent(h.ctx, &orgs.ListAccountsForParentInput{ParentId: &chain[4]})
	if err != nil || len(under.Accounts) != 1 || *under.Accounts[0].Id != acct {
		t.Fatalf("ListAccountsForParent: %+v %v", under, err)
	}

	for _, tc := range []struct {
		name     string
		src, dst string
		code     string
	}{
		{"source missing", "ou-zzzz-zzzzzzzz", root, "SourceParentNotFoundException"},
		{"destination missing", chain[4], "ou-zzzz-zzzzzzzz", "DestinationParentNotFoundException"},
		{"already there", chain[4], chain[4], "DuplicateAccountException"},
		{"not in source", root, chain[0], "AccountNotFoundException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.c.MoveAccount(h.ctx, &orgs.MoveAccountInput{AccountId: &acct, SourceParentId: &tc.src, DestinationParentId: &tc.dst})
			wantErr(t, err, tc.code, "")
		})
	}

	_, err = h.c.DeleteOrganizationalUnit(h.ctx, &orgs.DeleteOrganizationalUnitInput{OrganizationalUnitId: &chain[4]})
	wantErr(t, err, "OrganizationalUnitNotEmptyException", "")
	_, err = h.c.DeleteOrganizationalUnit(h.ctx, &orgs.DeleteOrganizationalUnitInput{OrganizationalUnitId: &chain[3]})
	wantErr(t, err, "OrganizationalUnitNotEmptyException", "")
	if _, err := h.c.MoveAccount(h.ctx, &orgs.MoveAccountInput{AccountId: &acct, SourceParentId: &chain[4], DestinationParentId: &root}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.c.DeleteOrganizationalUnit(h.ctx, &orgs.DeleteOrganizationalUnitInput{OrganizationalUnitId: &chain[4]}); err != nil {
		t.Fatal(err)
	}
	_, err = h.c.DescribeOrganizationalUnit(h.ctx, &orgs.DescribeOrganizationalUnitInput{OrganizationalUnitId: &chain[4]})
	wantErr(t, err, "OrganizationalUnitNotFoundException", "")
}

// MaxOUs (OU_NUMBER_LIMIT_EXCEEDED) with the quota lowered.
func TestOUNumberLimit(t *testing.T) {
	h := start(t, organizations.Config{Quotas: organizations.Quotas{MaxOUs: 2}})
	h.createOrg()
	root := h.rootID()
	h.createOU(root, "a")
	h.createOU(root, "b")
	_, err := h.c.CreateOrganizationalUnit(h.ctx, &orgs.CreateOrganizationalUnitInput{ParentId: &root, Name: aws.String("c")})
	wantErr(t, err, "ConstraintViolationException", "OU_NUMBER_LIMIT_EXCEEDED")
}
