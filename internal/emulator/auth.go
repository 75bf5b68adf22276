package emulator

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"sort"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/sigv4"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// maxSkew is how far a signature's time may be from the server's clock
// (AWS: 15 minutes; https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html).
const maxSkew = 15 * time.Minute

// authenticate verifies sig against the credential it names and returns
// the caller's identity. The credential and its account's state come from
// the auth cache or, on a miss, from the request's transaction.
func (e *Emulator) authenticate(tx store.Tx, r *http.Request, sig *sigv4.Signature, payloadHash string, p service.Protocol) (service.Identity, error) {
	entry, cached, gen := e.auth.get(sig.AccessKeyID, e.sigClock())
	if !cached {
		ok, err := tx.Get(service.CredentialTable, sig.AccessKeyID, &entry.cred)
		if err != nil {
			return service.Identity{}, err
		}
		if !ok {
			return service.Identity{}, authErr(p, authUnknownKey, "")
		}
		var acct service.Account
		ok, err = tx.Get(service.AccountTable, entry.cred.Identity.Account, &acct)
		if err != nil {
			return service.Identity{}, err
		}
		entry.closed = ok && acct.Closed
		entry.at = e.sigClock()
		e.auth.put(sig.AccessKeyID, entry, gen)
	}
	cred := entry.cred
	if cred.Status == "Inactive" {
		return service.Identity{}, authErr(p, authUnknownKey, "")
	}
	if !sig.Verify(r, payloadHash, cred.SecretAccessKey, &e.keys) {
		return service.Identity{}, authErr(p, authBadSignature, "")
	}
	now := e.sigClock().UTC()
	if sig.Presigned {
		if now.After(sig.Time.Add(sig.Expires)) {
			return service.Identity{}, authErr(p, authSkew, "Request has expired: it was signed at "+sig.Time.UTC().Format(sigv4.TimeFormat)+" for "+sig.Expires.String()+", and it is now "+now.Format(sigv4.TimeFormat)+".")
		}
		if sig.Time.After(now.Add(maxSkew)) {
			return service.Identity{}, authErr(p, authSkew, "Signature not yet current: "+sig.Time.UTC().Format(sigv4.TimeFormat)+" is still later than "+now.Add(maxSkew).Format(sigv4.TimeFormat)+" ("+now.Format(sigv4.TimeFormat)+" + 15 min.)")
		}
	} else {
		if sig.Time.Before(now.Add(-maxSkew)) {
			return service.Identity{}, authErr(p, authSkew, "Signature expired: "+sig.Time.UTC().Format(sigv4.TimeFormat)+" is now earlier than "+now.Add(-maxSkew).Format(sigv4.TimeFormat)+" ("+now.Format(sigv4.TimeFormat)+" - 15 min.)")
		}
		if sig.Time.After(now.Add(maxSkew)) {
			return service.Identity{}, authErr(p, authSkew, "Signature not yet current: "+sig.Time.UTC().Format(sigv4.TimeFormat)+" is still later than "+now.Add(maxSkew).Format(sigv4.TimeFormat)+" ("+now.Format(sigv4.TimeFormat)+" + 15 min.)")
		}
	}
	if sig.Date != sig.Time.UTC().Format("20060102") {
		return service.Identity{}, authErr(p, authBadSignature, "Credential should be scoped to a valid date: the scope's date "+sig.Date+" is not the date of X-Amz-Date "+sig.Time.UTC().Format(sigv4.TimeFormat)+".")
	}
	// Temporary credentials need their session token; long-term keys must
	// not carry one.
	if cred.SessionToken != "" || sig.SecurityToken != "" {
		if subtle.ConstantTimeCompare([]byte(sig.SecurityToken), []byte(cred.SessionToken)) != 1 {
			return service.Identity{}, authErr(p, authUnknownKey, "")
		}
	}
	if !cred.Expires.IsZero() && !e.now().Before(cred.Expires) {
		return service.Identity{}, authErr(p, authExpired, "")
	}
	if entry.closed {
		return service.Identity{}, authErr(p, authUnknownKey, "The security token included in the request is invalid: account "+cred.Identity.Account+" is closed.")
	}
	return cred.Identity, nil
}

type authKind int

const (
	authMissing authKind = iota
	authIncomplete
	authUnknownKey
	authBadSignature
	authExpired
	authSkew
)

// authCodes are the codes and statuses AWS returns for authentication
// failures. Query services (IAM, STS) use the codes of "Common Errors"
// (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html);
// JSON services answer from the Coral front end with the ...Exception
// forms (UnrecognizedClientException for an unknown key,
// InvalidSignatureException also for an expired signature).
var authCodes = map[service.Protocol]map[authKind]struct {
	code   string
	status int
	msg    string
}{
	service.Query: {
		authMissing:      {"MissingAuthenticationToken", 403, "Request is missing Authentication Token"},
		authIncomplete:   {"IncompleteSignature", 400, "The request signature does not conform to AWS standards."},
		authUnknownKey:   {"InvalidClientTokenId", 403, "The security token included in the request is invalid."},
		authBadSignature: {"SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		authExpired:      {"ExpiredToken", 403, "The security token included in the request is expired"},
		authSkew:         {"RequestExpired", 400, "Request has expired."},
	},
	service.JSON: {
		authMissing:      {"MissingAuthenticationTokenException", 400, "Missing Authentication Token"},
		authIncomplete:   {"IncompleteSignatureException", 400, "The request signature does not conform to AWS standards."},
		authUnknownKey:   {"UnrecognizedClientException", 400, "The security token included in the request is invalid."},
		authBadSignature: {"InvalidSignatureException", 400, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		authExpired:      {"ExpiredTokenException", 400, "The security token included in the request is expired"},
		authSkew:         {"InvalidSignatureException", 400, "Signature expired."},
	},
}

// authErr returns the protocol's error for kind; msg overrides the
// standard message when not empty. Messages never contain secrets.
func authErr(p service.Protocol, kind authKind, msg string) *service.Error {
	c := authCodes[p][kind]
	if msg == "" {
		msg = c.msg
	}
	return service.Errorf(c.status, c.code, "%s", msg)
}

// authError maps a sigv4.Parse error.
func authError(p service.Protocol, err error) *service.Error {
	if errors.Is(err, sigv4.ErrMissing) {
		return authErr(p, authMissing, "")
	}
	var me *sigv4.MalformedError
	if errors.As(err, &me) {
		return authErr(p, authIncomplete, me.Msg)
	}
	return authErr(p, authIncomplete, "")
}

func sortStrings(s []string) { sort.Strings(s) }
