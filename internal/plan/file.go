package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// Fingerprint is a hash of a live organization in canonical form (maps by
// key, lists sorted, policy documents compacted, the lock tag left out), so
// that two reads of an unchanged organization give the same fingerprint and
// any change an apply could trip over gives another.
func Fingerprint(live *org.Org) string {
	if live == nil {
		live = org.New()
	}
	return hashJSON(canonical(live))
}

// DesiredHash is a hash of a desired organization in the same canonical
// form: it changes when the layout (or a policy file it reads) changes what
// it asks for.
func DesiredHash(want *org.Org) string { return hashJSON(canonical(want)) }

func hashJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// An Org holds strings, bools and maps of strings: it always
		// marshals. Were it not to, an empty fingerprint matches nothing,
		// so a plan file made from it is refused as stale.
		return ""
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// canonical returns a deep copy of o in canonical form.
func canonical(o *org.Org) *org.Org {
	c := *o
	c.PolicyTypes = append([]string(nil), o.PolicyTypes...)
	sort.Strings(c.PolicyTypes)
	if o.RootTags != nil {
		c.RootTags = map[string]string{}
		for k, v := range o.RootTags {
			if k != LockTag {
				c.RootTags[k] = v
			}
		}
	}
	c.Policies = make(map[string]*org.Policy, len(o.Policies))
	for name, p := range o.Policies {
		cp := *p
		cp.Content = compactJSON(p.Content)
		cp.Targets = append([]org.Target(nil), p.Targets...)
		sort.Slice(cp.Targets, func(i, j int) bool { return cp.Targets[i].String() < cp.Targets[j].String() })
		c.Policies[name] = &cp
	}
	return &c
}

// Save writes the plan as JSON to path, atomically (a temporary file
// renamed into place), readable by the owner only: a plan names accounts
// and emails.
func (p *Plan) Save(path string) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return writeFileAtomic(path, append(b, '\n'), 0o600)
}

// Load reads a plan file written by Save.
func Load(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: not a bulkhead plan file: %v (make one with `bulkhead plan --out %s`)", path, err, path)
	}
	if p.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%s: plan format version %d, this bulkhead reads version %d (make the plan again)", path, p.FormatVersion, FormatVersion)
	}
	if p.Fingerprint == "" {
		return nil, fmt.Errorf("%s: plan has no fingerprint of the live state (make it with `bulkhead plan --out`)", path)
	}
	seen := map[string]bool{}
	for i, op := range p.Ops {
		if op == nil || op.ID == "" || kindOrder[op.Kind] == 0 && op.Kind != CreateOrganization && (!op.Kind.IsIAM() || op.IAM == nil) {
			return nil, fmt.Errorf("%s: operations[%d]: missing id or unknown kind", path, i)
		}
		if seen[op.ID] {
			return nil, fmt.Errorf("%s: operations[%d]: duplicate id %q", path, i, op.ID)
		}
		seen[op.ID] = true
	}
	for _, op := range p.Ops {
		for _, dep := range op.DependsOn {
			if !seen[dep] {
				return nil, fmt.Errorf("%s: operation %s depends on unknown operation %q", path, op.ID, dep)
			}
		}
	}
	return &p, nil
}

// ErrStale is returned by apply of a plan file whose live state changed
// since the plan was made.
var ErrStale = errors.New("the plan is stale")

// writeFileAtomic writes data to path through a synced temporary file in
// the same directory, then renames it: a reader sees the old or the new
// file, never half of one, even after a crash.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
