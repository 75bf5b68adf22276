package emulator

import (
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"time"
)

// adminPrefix is the path of the admin API. It is not an AWS API: it
// accepts only loopback clients authenticated with HTTP Basic auth whose
// user and password are the management account's root access key id and
// secret (`curl -u "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"` after
// `eval "$(bulkhead local env)"`).
//
//	GET  /_bulkhead/status  state dir, management account, region, services
//	GET  /_bulkhead/faults  the injected faults
//	PUT  /_bulkhead/faults  replace them (a Faults JSON document)
//	GET  /_bulkhead/stats   per-operation call counts
//	DELETE /_bulkhead/stats zero the counts
const adminPrefix = "/_bulkhead/"

// Status is what GET /_bulkhead/status returns.
type Status struct {
	StateDir            string    `json:"stateDir"`
	ManagementAccountID string    `json:"managementAccountId"`
	Region              string    `json:"region"`
	Services            []string  `json:"services"`
	Started             time.Time `json:"started"`
}

// Status describes the running emulator.
func (e *Emulator) Status() Status {
	return Status{
		StateDir:            e.opts.StateDir,
		ManagementAccountID: e.boot.ManagementAccountID,
		Region:              e.region,
		Services:            e.serviceNames(),
		Started:             e.started,
	}
}

func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		adminError(w, http.StatusForbidden, "the admin API accepts only loopback clients")
		return
	}
	user, pass, ok := r.BasicAuth()
	id, secret := e.RootCredentials()
	if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(id)) != 1 || subtle.ConstantTimeCompare([]byte(pass), []byte(secret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="bulkhead local aws"`)
		adminError(w, http.StatusUnauthorized, "authenticate with HTTP Basic auth as the management account's root access key id and secret (bulkhead local env)")
		return
	}
	switch path := r.URL.Path[len(adminPrefix):]; {
	case path == "status" && r.Method == http.MethodGet:
		adminJSON(w, e.Status())
	case path == "faults" && r.Method == http.MethodGet:
		adminJSON(w, e.Faults())
	case path == "faults" && r.Method == http.MethodPut:
		var f Faults
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			adminError(w, http.StatusBadRequest, "faults: "+err.Error())
			return
		}
		if err := e.SetFaults(f); err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		adminJSON(w, e.Faults())
	case path == "stats" && r.Method == http.MethodGet:
		adminJSON(w, map[string]any{"operations": e.Stats()})
	case path == "stats" && r.Method == http.MethodDelete:
		e.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	default:
		adminError(w, http.StatusNotFound, "no admin endpoint "+r.Method+" "+r.URL.Path+"; see GET /_bulkhead/status, GET|PUT /_bulkhead/faults, GET|DELETE /_bulkhead/stats")
	}
}

func adminJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func adminError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
