package iam_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// These tests drive the emulated IAM through aws-sdk-go-v2's IAM and STS
// clients against an in-process local AWS (emulatortest), so every shape
// they check is what a real client parses.

type env struct {
	*emulatortest.Env
	iam *iam.Client
	sts *sts.Client
}

func start(t *testing.T) *env {
	t.Helper()
	e := emulatortest.Start(t)
	return &env{Env: e, iam: iam.NewFromConfig(e.Config), sts: sts.NewFromConfig(e.Config)}
}

// as returns IAM and STS clients signing with other credentials.
func (e *env) as(key, secret, token string) (*iam.Client, *sts.Client) {
	cfg := e.ConfigFor(key, secret, token)
	return iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
}

var ctx = context.Background()

// wantErr checks that err is the AWS error code with the HTTP status.
func wantErr(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s (%d)", code, status)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("got error code %s (%v), want %s", ae.ErrorCode(), err, code)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("got HTTP %d for %s, want %d", re.HTTPStatusCode(), code, status)
	}
}

// result holds a call's two results until must checks them:
// call(client.Op(ctx, in)).must(t).
type result[T any] struct {
	v   T
	err error
}

func call[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) must(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

// decodeDoc undoes IAM's URL-encoding of policy documents.
func decodeDoc(t *testing.T, s *string) string {
	t.Helper()
	d, err := url.QueryUnescape(aws.ToString(s))
	if err != nil {
		t.Fatalf("policy document %q is not URL-encoded: %v", aws.ToString(s), err)
	}
	return d
}

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func trustAccount(acct string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
}

func tagMap(tags []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
