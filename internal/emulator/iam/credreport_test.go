package iam_test

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestCredentialReport(t *testing.T) {
	e := start(t)
	_, err := e.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	wantErr(t, err, "ReportNotPresent", 410)

	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})).must(t)
	call(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).must(t)
	call(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Corr3ct-horse")})).must(t)
	if st := call(e.iam.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})).must(t).State; st != types.ReportStateTypeStarted {
		t.Errorf("first GenerateCredentialReport = %s", st)
	}
	if st := call(e.iam.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})).must(t).State; st != types.ReportStateTypeComplete {
		t.Errorf("second GenerateCredentialReport = %s", st)
	}
	rep := call(e.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})).must(t)
	if rep.ReportFormat != types.ReportFormatTypeTextCsv {
		t.Errorf("ReportFormat = %s", rep.ReportFormat)
	}
	rows, err := csv.NewReader(bytes.NewReader(rep.Content)).ReadAll()
	if err != nil {
		t.Fatalf("report is not CSV: %v\n%s", err, rep.Content)
	}
	if len(rows) != 3 || len(rows[0]) != 22 || rows[1][0] != "<root_account>" || rows[2][0] != "alice" {
		t.Fatalf("report rows = %q", rows)
	}
	alice := map[string]string{}
	for i, h := range rows[0] {
		alice[h] = rows[2][i]
	}
	if alice["password_enabled"] != "true" || alice["access_key_1_active"] != "true" || alice["access_key_2_active"] != "false" || alice["mfa_active"] != "false" {
		t.Errorf("alice's line = %v", alice)
	}
	e.Clock.Advance(4*time.Hour + time.Second)
	_, err = e.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	wantErr(t, err, "ReportExpired", 410)
}
