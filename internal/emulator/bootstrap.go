package emulator

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// metaTable holds the front end's own documents.
const metaTable = "emulator.meta"

// bootstrapKey is the metaTable document written when the state is
// initialised.
const bootstrapKey = "bootstrap"

// bootstrap is the state's identity: the management account and its root
// access key id (the secret lives only in service.CredentialTable).
type bootstrap struct {
	ManagementAccountID string    `json:"managementAccountId"`
	RootAccessKeyID     string    `json:"rootAccessKeyId"`
	Created             time.Time `json:"created"`

	rootKeyID, rootSecret string
}

// loadOrBootstrap reads the bootstrap document or, on a fresh state,
// creates the management account (a random 12-digit id), its AccountTable
// entry and its root credentials, in one transaction.
func loadOrBootstrap(ctx context.Context, db *store.DB, rnd io.Reader, now time.Time) (bootstrap, error) {
	var b bootstrap
	err := db.Write(ctx, func(tx store.Tx) error {
		ok, err := tx.Get(metaTable, bootstrapKey, &b)
		if err != nil || ok {
			return err
		}
		id, err := randomDigits(rnd, 12)
		if err != nil {
			return err
		}
		keyID, err := randomFrom(rnd, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
		if err != nil {
			return err
		}
		secret, err := randomFrom(rnd, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
		if err != nil {
			return err
		}
		b = bootstrap{ManagementAccountID: id, RootAccessKeyID: "AKIA" + keyID, Created: now.UTC()}
		acct := service.Account{ID: id, Name: "management", Email: "management@bulkhead.local", Created: now.UTC()}
		if err := tx.Put(service.AccountTable, id, acct); err != nil {
			return err
		}
		cred := service.Credential{
			AccessKeyID:     b.RootAccessKeyID,
			SecretAccessKey: secret,
			Status:          "Active",
			Identity: service.Identity{
				Account: id,
				ARN:     "arn:aws:iam::" + id + ":root",
				Type:    "Root",
				UserID:  id,
			},
		}
		if err := tx.Put(service.CredentialTable, cred.AccessKeyID, cred); err != nil {
			return err
		}
		return tx.Put(metaTable, bootstrapKey, b)
	})
	if err != nil {
		return b, fmt.Errorf("bootstrap: %w", err)
	}
	var cred service.Credential
	err = db.Read(ctx, func(tx store.Tx) error {
		ok, err := tx.Get(service.CredentialTable, b.RootAccessKeyID, &cred)
		if err == nil && !ok {
			err = fmt.Errorf("the management account's root key %s is missing from the state; run `bulkhead local reset`", b.RootAccessKeyID)
		}
		return err
	})
	if err != nil {
		return b, fmt.Errorf("bootstrap: %w", err)
	}
	b.rootKeyID, b.rootSecret = cred.AccessKeyID, cred.SecretAccessKey
	return b, nil
}

// randomFrom draws n characters uniformly from alphabet (len ≤ 256),
// rejecting bytes that would bias the draw.
func randomFrom(rnd io.Reader, n int, alphabet string) (string, error) {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	for len(out) < n {
		if _, err := io.ReadFull(rnd, buf); err != nil {
			return "", fmt.Errorf("random: %w", err)
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

func randomDigits(rnd io.Reader, n int) (string, error) {
	return randomFrom(rnd, n, "0123456789")
}
