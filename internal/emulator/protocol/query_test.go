package protocol

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

type tag struct{ Key, Value string }

type policyArn struct {
	Arn string
}

type queryInput struct {
	UserName   string
	Path       *string
	MaxItems   int32
	Force      bool
	Duration   *int64
	Tags       []tag
	Names      []string
	PolicyArns []policyArn
	Attrs      map[string]string
	Nested     *struct{ Inner struct{ Value string } }
	When       time.Time
	Renamed    string `query:"Other"`
	unexported string
}

func TestDecodeQuery(t *testing.T) {
	form := url.Values{
		"UserName":                {"bob"},
		"Path":                    {"/eng/"},
		"MaxItems":                {"20"},
		"Force":                   {"true"},
		"Duration":                {"3600"},
		"Tags.member.1.Key":       {"team"},
		"Tags.member.1.Value":     {"a b"},
		"Tags.member.2.Key":       {"env"},
		"Tags.member.2.Value":     {""},
		"Tags.member.10.Key":      {"tenth"},
		"Names.member.2":          {"second"},
		"Names.member.1":          {"first"},
		"PolicyArns.member.1.arn": {"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		"Attrs.entry.1.key":       {"k1"},
		"Attrs.entry.1.value":     {"v1"},
		"Nested.Inner.Value":      {"deep"},
		"When":                    {"2026-01-02T03:04:05Z"},
		"Other":                   {"renamed"},
		"Unknown":                 {"ignored"},
	}
	var got queryInput
	if err := DecodeQuery(form, &got); err != nil {
		t.Fatal(err)
	}
	path := "/eng/"
	dur := int64(3600)
	want := queryInput{
		UserName: "bob", Path: &path, MaxItems: 20, Force: true, Duration: &dur,
		Tags:       []tag{{"team", "a b"}, {"env", ""}, {"tenth", ""}},
		Names:      []string{"first", "second"},
		PolicyArns: []policyArn{{"arn:aws:iam::aws:policy/ReadOnlyAccess"}},
		Attrs:      map[string]string{"k1": "v1"},
		Nested:     &struct{ Inner struct{ Value string } }{struct{ Value string }{"deep"}},
		When:       time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Renamed:    "renamed",
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(queryInput{})); diff != "" {
		t.Errorf("DecodeQuery (-want +got):\n%s", diff)
	}
}

func TestDecodeQueryEmptyAndAbsent(t *testing.T) {
	var got queryInput
	if err := DecodeQuery(url.Values{"Names": {""}}, &got); err != nil {
		t.Fatal(err)
	}
	if got.Names == nil || len(got.Names) != 0 {
		t.Errorf("an empty list parameter must decode to an empty, non-nil list; got %#v", got.Names)
	}
	if got.Path != nil || got.Tags != nil || got.Nested != nil {
		t.Errorf("absent parameters must stay nil: %+v", got)
	}
}

func TestDecodeQueryErrors(t *testing.T) {
	tests := []struct {
		form     url.Values
		code     string
		contains string
	}{
		{url.Values{"MaxItems": {"many"}}, "ValidationError", "MaxItems"},
		{url.Values{"MaxItems": {"99999999999"}}, "ValidationError", "MaxItems"},
		{url.Values{"Force": {"yes"}}, "ValidationError", "Force"},
		{url.Values{"When": {"yesterday"}}, "ValidationError", "When"},
		{url.Values{"Tags.member.x.Key": {"k"}}, "MalformedInput", "Tags.member.x.Key"},
		{url.Values{"Tags.member.0.Key": {"k"}}, "MalformedInput", "Tags.member"},
		{url.Values{"Attrs.entry.1.value": {"v"}}, "MalformedInput", "Attrs.entry.1.key"},
		{url.Values{"UserName": {"a", "b"}}, "MalformedInput", "UserName"},
	}
	for _, tt := range tests {
		var got queryInput
		err := DecodeQuery(tt.form, &got)
		var se *service.Error
		if !errors.As(err, &se) || se.Code != tt.code || !strings.Contains(se.Message, tt.contains) || se.Status != 400 {
			t.Errorf("DecodeQuery(%v) = %v; want %s naming %s", tt.form, err, tt.code, tt.contains)
		}
	}
}

func TestWriteQuery(t *testing.T) {
	type out struct {
		Users       []struct{ UserName string } `xml:"Users>member"`
		IsTruncated bool
		Created     service.Time
	}
	rec := httptest.NewRecorder()
	v := out{Users: []struct{ UserName string }{{"a<b"}}, Created: service.Time(time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC))}
	if err := WriteQuery(rec, "ListUsers", "https://iam.amazonaws.com/doc/2010-05-08/", "rid", v); err != nil {
		t.Fatal(err)
	}
	want := `<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users><member><UserName>a&lt;b</UserName></member></Users><IsTruncated>false</IsTruncated><Created>2026-01-02T03:04:05Z</Created></ListUsersResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ListUsersResponse>`
	if diff := cmp.Diff(want, rec.Body.String()); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	rec = httptest.NewRecorder()
	if err := WriteQuery(rec, "DeleteUser", "ns", "rid", nil); err != nil {
		t.Fatal(err)
	}
	if want := `<DeleteUserResponse xmlns="ns"><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></DeleteUserResponse>`; rec.Body.String() != want {
		t.Errorf("nil result: %s", rec.Body)
	}
	rec = httptest.NewRecorder()
	WriteQueryError(rec, "ns", "rid", service.Errorf(404, "NoSuchEntity", "no user <x>"))
	if want := `<ErrorResponse xmlns="ns"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>no user &lt;x&gt;</Message></Error><RequestId>rid</RequestId></ErrorResponse>`; rec.Body.String() != want || rec.Code != 404 {
		t.Errorf("error: %d %s", rec.Code, rec.Body)
	}
}

func TestDecodeJSON(t *testing.T) {
	type in struct {
		Name     string
		MaxItems *int32
		Tags     []tag
	}
	tests := []struct {
		body     string
		code     string
		contains string
	}{
		{``, "", ""},
		{`{}`, "", ""},
		{`{"Name":"x","MaxItems":3,"Tags":[{"Key":"k","Value":"v"}]}`, "", ""},
		{`{"Name":3}`, "SerializationException", "Name"},
		{`{"MaxItems":"3"}`, "SerializationException", "MaxItems"},
		{`{"Bogus":1}`, "SerializationException", "Bogus"},
		{`{"Name":"x"`, "SerializationException", "truncated"},
		{`[1]`, "SerializationException", "object"},
		{`{"Name":"x"} {}`, "SerializationException", "trailing"},
		{`not json`, "SerializationException", "not valid JSON"},
	}
	for _, tt := range tests {
		var v in
		err := DecodeJSON([]byte(tt.body), &v)
		if tt.code == "" {
			if err != nil {
				t.Errorf("DecodeJSON(%q) = %v", tt.body, err)
			}
			continue
		}
		var se *service.Error
		if !errors.As(err, &se) || se.Code != tt.code || !strings.Contains(se.Message, tt.contains) {
			t.Errorf("DecodeJSON(%q) = %v; want %s mentioning %q", tt.body, err, tt.code, tt.contains)
		}
	}
}

func TestWriteJSONErrorFields(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteJSONError(rec, &service.Error{Code: "ConstraintViolationException", Message: "m", Status: 400, Fields: map[string]string{"Reason": "ACCOUNT_NUMBER_LIMIT_EXCEEDED"}})
	if want := `{"Message":"m","Reason":"ACCOUNT_NUMBER_LIMIT_EXCEEDED","__type":"ConstraintViolationException"}`; rec.Body.String() != want {
		t.Errorf("body %s", rec.Body)
	}
	if rec.Header().Get("X-Amzn-ErrorType") != "ConstraintViolationException" || rec.Code != 400 {
		t.Errorf("headers %v code %d", rec.Header(), rec.Code)
	}
}

func TestDecodeJSONCaseSensitive(t *testing.T) {
	type in struct {
		AccountId string
		Tags      []tag
		Time      *service.Time
	}
	for body, bad := range map[string]string{
		`{"accountid":"1"}`:                             "accountid",
		`{"AccountId":"1","Tags":[{"key":"k"}]}`:        "Tags[].key",
		`{"Tags":[{"Key":"k","Value":"v"}],"Time":1.5}`: "",
	} {
		var v in
		err := DecodeJSON([]byte(body), &v)
		if bad == "" {
			if err != nil {
				t.Errorf("DecodeJSON(%s) = %v", body, err)
			}
			continue
		}
		var se *service.Error
		if !errors.As(err, &se) || se.Code != "SerializationException" || !strings.Contains(se.Message, bad) {
			t.Errorf("DecodeJSON(%s) = %v; want SerializationException naming %s", body, err, bad)
		}
	}
}
