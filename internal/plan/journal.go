package plan

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// StateDirName is the directory, next to the layout file, where bulkhead
// keeps what must survive a crash: the CreateAccount journal and the last
// applied layout.
const StateDirName = ".bulkhead"

// JournalFile is the journal's name under the state directory.
const JournalFile = "journal.json"

// Journal states of a CreateAccount request.
const (
	// JournalSending: written before CreateAccount is sent. Found by a
	// later run without a status id, the request may or may not have
	// reached AWS: look for the account by email and for an in-flight
	// request by name before sending again.
	JournalSending = "sending"
	// JournalSent: AWS accepted the request; StatusID is its id. Poll it;
	// never send again.
	JournalSent = "sent"
	// JournalCreated: the account exists (AccountID) but may not be in its
	// unit yet.
	JournalCreated = "created"
)

// JournalEntry is one account creation in flight.
type JournalEntry struct {
	Email     string    `json:"email"`
	Account   string    `json:"account"`
	State     string    `json:"state"`
	StatusID  string    `json:"statusId,omitempty"`
	AccountID string    `json:"accountId,omitempty"`
	Started   time.Time `json:"started"`
	Updated   time.Time `json:"updated"`
}

// Journal records CreateAccount requests so that no email is ever sent
// twice, across crashes: every change is written to a temporary file,
// fsync'd and renamed over journal.json before the call it guards
// proceeds. An entry leaves the journal when its account is in place.
type Journal struct {
	path    string
	mu      sync.Mutex
	entries map[string]*JournalEntry // by lower-case email
}

// OpenJournal reads the journal in dir (created when absent).
func OpenJournal(dir string) (*Journal, error) {
	j := &Journal{path: filepath.Join(dir, JournalFile), entries: map[string]*JournalEntry{}}
	b, err := os.ReadFile(j.path)
	switch {
	case os.IsNotExist(err):
		return j, nil
	case err != nil:
		return nil, fmt.Errorf("read journal: %w", err)
	}
	var doc struct {
		Creates []*JournalEntry `json:"creates"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: damaged journal: %v (it records account creations in flight; inspect it before deleting it)", j.path, err)
	}
	for _, e := range doc.Creates {
		if e != nil && e.Email != "" {
			j.entries[strings.ToLower(e.Email)] = e
		}
	}
	return j, nil
}

// Path is the journal file.
func (j *Journal) Path() string { return j.path }

// Get returns a copy of the entry for email.
func (j *Journal) Get(email string) (JournalEntry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.entries[strings.ToLower(email)]
	if !ok {
		return JournalEntry{}, false
	}
	return *e, true
}

// Entries returns copies of every entry, by email.
func (j *Journal) Entries() []JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]JournalEntry, 0, len(j.entries))
	for _, e := range j.entries {
		out = append(out, *e)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Email < out[b].Email })
	return out
}

// Put records e durably.
func (j *Journal) Put(e JournalEntry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries[strings.ToLower(e.Email)] = &e
	return j.flush()
}

// Delete removes the entry for email durably.
func (j *Journal) Delete(email string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, ok := j.entries[strings.ToLower(email)]; !ok {
		return nil
	}
	delete(j.entries, strings.ToLower(email))
	return j.flush()
}

// flush writes the journal; j.mu is held. An empty journal is removed, so
// a clean state directory has none.
func (j *Journal) flush() error {
	if len(j.entries) == 0 {
		if err := os.Remove(j.path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("write journal: %w", err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(j.path), 0o755); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	list := make([]*JournalEntry, 0, len(j.entries))
	for _, e := range j.entries {
		list = append(list, e)
	}
	sort.Slice(list, func(a, b int) bool { return list[a].Email < list[b].Email })
	b, err := json.MarshalIndent(map[string]any{"creates": list}, "", "  ")
	if err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	if err := writeFileAtomic(j.path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	return nil
}
