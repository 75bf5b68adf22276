package iam

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// The credential report: one CSV line per user (and the root user) with
// the state of its password, MFA and access keys
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html).
// GenerateCredentialReport builds it at once (AWS takes a while and says
// STARTED; the first call here says STARTED too, later ones COMPLETE);
// GetCredentialReport serves it for 4 hours, then ReportExpired.

const tableReport = "iam.credreport" // "<account>"

const reportLifetime = 4 * time.Hour

type reportRec struct {
	Generated time.Time `json:"generated"`
	CSV       []byte    `json:"csv"`
}

var reportHeader = []string{"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service", "access_key_2_active", "access_key_2_last_rotated",
	"access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active",
	"cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"}

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// keyColumns renders the two access key column groups of a report line.
func keyColumns(tx store.Tx, acct, ownerID string) ([]string, error) {
	var cols []string
	err := scanRecs(tx, tableAccessKey, acct+"/"+ownerID+"/", func(_ string, k *accessKeyRec) (bool, error) {
		var c service.Credential
		if _, err := tx.Get(service.CredentialTable, k.ID, &c); err != nil {
			return false, err
		}
		active := "false"
		if c.Status == "Active" {
			active = "true"
		}
		cols = append(cols, active, iso(k.Created), "N/A", "N/A", "N/A")
		return len(cols) < 10, nil
	})
	for len(cols) < 10 {
		cols = append(cols, "false", "N/A", "N/A", "N/A", "N/A")
	}
	return cols, err
}

func buildReport(tx store.Tx, acct string, created time.Time, pp *passwordPolicyRec) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(reportHeader); err != nil {
		return nil, err
	}
	rootKeys, err := keyColumns(tx, acct, "root")
	if err != nil {
		return nil, err
	}
	root := append([]string{"<root_account>", RootARN(acct), iso(created), "not_supported", "no_information", "not_supported", "not_supported", "false"}, rootKeys...)
	if err := w.Write(append(root, "false", "N/A", "false", "N/A")); err != nil {
		return nil, err
	}
	err = scanRecs(tx, tableUser, acct+"/", func(_ string, u *userRec) (bool, error) {
		password, changed, next := "false", "N/A", "N/A"
		if u.LoginProfile != nil {
			password, changed = "true", iso(u.LoginProfile.Created)
			if pp != nil && pp.MaxPasswordAge > 0 {
				next = iso(u.LoginProfile.Created.AddDate(0, 0, pp.MaxPasswordAge))
			}
		}
		devs, err := userMFADevices(tx, acct, u.ID)
		if err != nil {
			return false, err
		}
		mfa := "false"
		if len(devs) > 0 {
			mfa = "true"
		}
		keys, err := keyColumns(tx, acct, u.ID)
		if err != nil {
			return false, err
		}
		line := append([]string{u.Name, userARN(acct, u.Path, u.Name), iso(u.Created), password, "no_information", changed, next, mfa}, keys...)
		return true, w.Write(append(line, "false", "N/A", "false", "N/A"))
	})
	if err != nil {
		return nil, err
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func (s *Service) generateCredentialReport(ctx context.Context, r *service.Request) (any, error) {
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	var prev reportRec
	had, err := tx.Get(tableReport, acct, &prev)
	if err != nil {
		return nil, internal("get credential report", err)
	}
	var a service.Account
	if _, err := tx.Get(service.AccountTable, acct, &a); err != nil {
		return nil, internal("get account", err)
	}
	settings, err := getAccount(tx, acct)
	if err != nil {
		return nil, err
	}
	content, err := buildReport(tx, acct, a.Created, settings.PasswordPolicy)
	if err != nil {
		return nil, internal("credential report", err)
	}
	if err := tx.Put(tableReport, acct, reportRec{Generated: r.Now, CSV: content}); err != nil {
		return nil, internal("put credential report", err)
	}
	state, desc := "COMPLETE", "Report generated"
	if !had {
		state, desc = "STARTED", "No report exists. Starting a new report generation task"
	}
	return struct {
		State       string `xml:"State"`
		Description string `xml:"Description"`
	}{state, desc}, nil
}

func (s *Service) getCredentialReport(ctx context.Context, r *service.Request) (any, error) {
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	var rep reportRec
	ok, err := r.Tx.Get(tableReport, r.Caller.Account, &rep)
	if err != nil {
		return nil, internal("get credential report", err)
	}
	if !ok {
		return nil, service.Errorf(http.StatusGone, "ReportNotPresent", "Credential report not present. Call GenerateCredentialReport first.")
	}
	if r.Now.Sub(rep.Generated) > reportLifetime {
		return nil, service.Errorf(http.StatusGone, "ReportExpired", "Credential report expired: it is more than 4 hours old. Call GenerateCredentialReport.")
	}
	return struct {
		Content       string       `xml:"Content"`
		ReportFormat  string       `xml:"ReportFormat"`
		GeneratedTime service.Time `xml:"GeneratedTime"`
	}{b64(rep.CSV), "text/csv", service.Time(rep.Generated)}, nil
}
