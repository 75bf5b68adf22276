package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

func TestUserLifecycle(t *testing.T) {
	e := start(t)
	out := call(e.iam.CreateUser(ctx, &iam.CreateUserInput{
		UserName: aws.String("alice"), Path: aws.String("/people/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}},
	})).must(t)
	u := out.User
	if got, want := aws.ToString(u.Arn), "arn:aws:iam::"+e.AccountID+":user/people/alice"; got != want {
		t.Errorf("Arn = %s, want %s", got, want)
	}
	if id := aws.ToString(u.UserId); !strings.HasPrefix(id, "AIDA") || len(id) != 21 {
		t.Errorf("UserId = %s, want AIDA + 17 characters", id)
	}
	if u.CreateDate == nil || !u.CreateDate.Equal(e.Clock.Now().Truncate(1e9)) {
		t.Errorf("CreateDate = %v, want the clock's %v", u.CreateDate, e.Clock.Now())
	}

	got := call(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("ALICE")})).must(t).User
	if diff := cmp.Diff(map[string]string{"team": "platform"}, tagMap(got.Tags)); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}

	// Names are unique regardless of case.
	_, err := e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Alice")})
	wantErr(t, err, "EntityAlreadyExists", 409)
	_, err = e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name")})
	wantErr(t, err, "ValidationError", 400)
	_, err = e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob"), Path: aws.String("nopath")})
	wantErr(t, err, "ValidationError", 400)

	call(e.iam.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("alicia"), NewPath: aws.String("/")})).must(t)
	_, err = e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	wantErr(t, err, "NoSuchEntity", 404)
	renamed := call(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alicia")})).must(t).User
	if aws.ToString(renamed.UserId) != aws.ToString(u.UserId) || aws.ToString(renamed.Arn) != "arn:aws:iam::"+e.AccountID+":user/alicia" {
		t.Errorf("renamed user = %s %s", aws.ToString(renamed.UserId), aws.ToString(renamed.Arn))
	}

	call(e.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alicia"), Tags: []types.Tag{{Key: aws.String("TEAM"), Value: aws.String("sre")}, {Key: aws.String("x"), Value: aws.String("1")}}})).must(t)
	call(e.iam.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alicia"), TagKeys: []string{"x"}})).must(t)
	tags := call(e.iam.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alicia")})).must(t).Tags
	if diff := cmp.Diff(map[string]string{"TEAM": "sre"}, tagMap(tags)); diff != "" {
		t.Errorf("tags after TagUser/UntagUser (-want +got):\n%s", diff)
	}

	call(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alicia")})).must(t)
	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alicia")})
	wantErr(t, err, "NoSuchEntity", 404)
}

// TestListUsersPagination pages with MaxItems and Marker, as
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html describes.
func TestListUsersPagination(t *testing.T) {
	e := start(t)
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("user%02d", i)
		path := "/"
		if i%2 == 1 {
			path = "/odd/"
		}
		call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String(path)})).must(t)
		want = append(want, name)
	}
	var got []string
	pages := 0
	p := iam.NewListUsersPaginator(e.iam, &iam.ListUsersInput{MaxItems: aws.Int32(3)})
	for p.HasMorePages() {
		out := call(p.NextPage(ctx)).must(t)
		pages++
		for _, u := range out.Users {
			got = append(got, aws.ToString(u.UserName))
		}
		if out.IsTruncated != (out.Marker != nil) {
			t.Errorf("IsTruncated %v with Marker %v", out.IsTruncated, out.Marker)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" || pages != 3 {
		t.Errorf("paged users in %d pages (-want +got):\n%s", pages, diff)
	}
	odd := call(e.iam.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/odd/")})).must(t)
	if len(odd.Users) != 3 || odd.IsTruncated {
		t.Errorf("PathPrefix /odd/: %d users, truncated %v; want 3", len(odd.Users), odd.IsTruncated)
	}
	_, err := e.iam.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1001)})
	wantErr(t, err, "ValidationError", 400)
	_, err = e.iam.ListUsers(ctx, &iam.ListUsersInput{Marker: aws.String("not a marker!")})
	wantErr(t, err, "ValidationError", 400)
}

// TestGroupsPerUserLimit: a user belongs to at most 10 groups
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
func TestGroupsPerUserLimit(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})).must(t)
	for i := range 11 {
		call(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(fmt.Sprintf("g%02d", i))})).must(t)
	}
	for i := range 10 {
		call(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String(fmt.Sprintf("g%02d", i))})).must(t)
	}
	// Adding an existing membership again is not an error.
	call(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String("g00")})).must(t)
	_, err := e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String("g10")})
	wantErr(t, err, "LimitExceeded", 409)

	groups := call(e.iam.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice"), MaxItems: aws.Int32(4)})).must(t)
	if len(groups.Groups) != 4 || !groups.IsTruncated || aws.ToString(groups.Groups[0].GroupName) != "g00" {
		t.Fatalf("first page: %d groups, truncated %v", len(groups.Groups), groups.IsTruncated)
	}
	rest := call(e.iam.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice"), Marker: groups.Marker})).must(t)
	if len(rest.Groups) != 6 || rest.IsTruncated || aws.ToString(rest.Groups[0].GroupName) != "g04" {
		t.Fatalf("second page: %d groups from %s, truncated %v", len(rest.Groups), aws.ToString(rest.Groups[0].GroupName), rest.IsTruncated)
	}

	g := call(e.iam.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("g03")})).must(t)
	if len(g.Users) != 1 || aws.ToString(g.Users[0].UserName) != "alice" || !strings.HasPrefix(aws.ToString(g.Group.GroupId), "AGPA") {
		t.Errorf("GetGroup = %+v", g)
	}
	_, err = e.iam.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("g03")})
	wantErr(t, err, "DeleteConflict", 409)
	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantErr(t, err, "DeleteConflict", 409)

	call(e.iam.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: aws.String("alice"), GroupName: aws.String("g03")})).must(t)
	_, err = e.iam.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: aws.String("alice"), GroupName: aws.String("g03")})
	wantErr(t, err, "NoSuchEntity", 404)
	call(e.iam.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("g03")})).must(t)
	// Now there is room for the 11th.
	call(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String("g10")})).must(t)

	// Renaming a group keeps its members.
	call(e.iam.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("g10"), NewGroupName: aws.String("ops")})).must(t)
	all := call(e.iam.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")})).must(t)
	names := []string{}
	for _, g := range all.Groups {
		names = append(names, aws.ToString(g.GroupName))
	}
	if len(names) != 10 || names[9] != "ops" {
		t.Errorf("groups after rename = %v", names)
	}
	list := call(e.iam.ListGroups(ctx, &iam.ListGroupsInput{})).must(t)
	if len(list.Groups) != 10 {
		t.Errorf("ListGroups: %d groups, want 10", len(list.Groups))
	}
}
