package conformance

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func model(t *testing.T, service string) *Model {
	t.Helper()
	m, err := LoadModel(service)
	if errors.Is(err, os.ErrNotExist) && os.Getenv("CI") == "" {
		t.Skipf("botocore models not installed: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCheckResponseFindsViolations proves the checks can fail: each body
// breaks the model in one way.
func TestCheckResponseFindsViolations(t *testing.T) {
	iam, org := model(t, "iam"), model(t, "organizations")
	const meta = `<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>`
	tests := []struct {
		name    string
		m       *Model
		op      string
		status  int
		body    string
		code    string
		problem string // "" means conformant
	}{
		{"conformant query", iam, "ListUsers", 200, `<ListUsersResponse><ListUsersResult><Users><member><Path>/</Path><UserName>a</UserName><UserId>AIDA</UserId><Arn>arn:aws:iam::1:user/a</Arn><CreateDate>2026-01-02T03:04:05Z</CreateDate></member></Users><IsTruncated>false</IsTruncated></ListUsersResult>` + meta + `</ListUsersResponse>`, "", ""},
		{"required list missing", iam, "ListUsers", 200, `<ListUsersResponse><ListUsersResult><IsTruncated>false</IsTruncated></ListUsersResult>` + meta + `</ListUsersResponse>`, "", "Users: required member missing"},
		{"bad boolean", iam, "ListUsers", 200, `<ListUsersResponse><ListUsersResult><Users/><IsTruncated>no</IsTruncated></ListUsersResult>` + meta + `</ListUsersResponse>`, "", "want true or false"},
		{"bad timestamp", iam, "ListUsers", 200, `<ListUsersResponse><ListUsersResult><Users><member><Path>/</Path><UserName>a</UserName><UserId>AIDA</UserId><Arn>x</Arn><CreateDate>yesterday</CreateDate></member></Users></ListUsersResult>` + meta + `</ListUsersResponse>`, "", "not a iso8601 timestamp"},
		{"list element name", iam, "ListUsers", 200, `<ListUsersResponse><ListUsersResult><Users><user/></Users></ListUsersResult>` + meta + `</ListUsersResponse>`, "", "list element <user>"},
		{"misspelt member", iam, "ListUsers", 200, `<ListUsersResponse><ListUsersResult><Users/><Truncated>false</Truncated></ListUsersResult>` + meta + `</ListUsersResponse>`, "", "Truncated: not a member"},
		{"missing result wrapper", iam, "ListUsers", 200, `<ListUsersResponse>` + meta + `</ListUsersResponse>`, "", "<ListUsersResult> missing"},
		{"no request id", iam, "DeleteUser", 200, `<DeleteUserResponse></DeleteUserResponse>`, "", "RequestId"},
		{"undeclared error", iam, "GetUser", 400, ``, "AccountNotFoundException", "neither declared"},
		{"declared query error code", iam, "GetUser", 404, ``, "NoSuchEntity", ""},
		{"common error", iam, "GetUser", 403, ``, "InvalidClientTokenId", ""},
		{"conformant json", org, "DescribeOrganization", 200, `{"Organization":{"Id":"o-abcdefghij","FeatureSet":"ALL","MasterAccountId":"123456789012"}}`, "", ""},
		{"json wrong type", org, "DescribeOrganization", 200, `{"Organization":{"Id":7}}`, "", "want a string"},
		{"json bad enum", org, "DescribeOrganization", 200, `{"Organization":{"FeatureSet":"SOME"}}`, "", `"SOME" is not one of`},
		{"json timestamp as string", org, "DescribeAccount", 200, `{"Account":{"JoinedTimestamp":"2026-01-02T03:04:05Z"}}`, "", "epoch seconds"},
		{"json null", org, "DescribeAccount", 200, `{"Account":null}`, "", "null"},
		{"json body for no output", org, "DeleteOrganization", 200, `{"x":1}`, "", "has no output"},
		{"json declared error", org, "DescribeAccount", 400, ``, "AccountNotFoundException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := tt.m.CheckResponse("svc", tt.op, tt.status, []byte(tt.body), tt.code)
			var strict []string
			for _, v := range vs {
				if !v.Newer {
					strict = append(strict, v.String())
				}
			}
			if tt.problem == "" {
				if len(strict) > 0 {
					t.Errorf("conformant response flagged: %v", strict)
				}
				return
			}
			if !strings.Contains(strings.Join(strict, "\n"), tt.problem) {
				t.Errorf("want a violation mentioning %q, got %v", tt.problem, strict)
			}
		})
	}
}

func TestAllowedNewerMembers(t *testing.T) {
	org := model(t, "organizations")
	body := []byte(`{"Account":{"Id":"123456789012","State":"ACTIVE","Bogus":1}}`)
	org.AllowMembers("Account", "State")
	var strict, newer []string
	for _, v := range org.CheckResponse("organizations", "DescribeAccount", 200, body, "") {
		if v.Newer {
			newer = append(newer, v.Path)
		} else {
			strict = append(strict, v.Path)
		}
	}
	if strings.Join(strict, ",") != "Account.Bogus" {
		t.Errorf("violations %v, want Account.Bogus", strict)
	}
	if org.Shapes["Account"].Members["State"] == nil && strings.Join(newer, ",") != "Account.State" {
		t.Errorf("newer %v, want Account.State", newer)
	}
}
