package organizations

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Every List operation pages with MaxResults (1 to 20; the model's
// MaxResults shape) and an opaque NextToken, as the AWS Organizations API
// Reference specifies for each List action.
const maxPage = 20

// pageIn is the paging members every List input has.
type pageIn struct {
	MaxResults *int32
	NextToken  *string
}

// page is a decoded paging request for one scan.
type page struct {
	action string
	limit  int
	after  string
}

// token is the NextToken's content: the action it belongs to and the last
// key returned. It is only a cursor; the caller's organization is checked
// on every request, so a token cannot reach another organization's data
// (the key must start with the scan prefix).
type token struct {
	A string `json:"a"`
	K string `json:"k"`
}

// newPage validates MaxResults and NextToken for a scan of prefix.
func newPage(action string, in pageIn, prefix string) (*page, error) {
	p := &page{action: action, limit: maxPage}
	if in.MaxResults != nil {
		n := int(*in.MaxResults)
		switch {
		case n < 1:
			return nil, invalid("MIN_VALUE_EXCEEDED", "MaxResults must be at least 1.")
		case n > maxPage:
			return nil, invalid("MAX_VALUE_EXCEEDED", "MaxResults must be at most %d.", maxPage)
		}
		p.limit = n
	}
	if in.NextToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		var t token
		if err == nil {
			err = json.Unmarshal(raw, &t)
		}
		if err != nil || t.A != action || !strings.HasPrefix(t.K, prefix) {
			return nil, invalid("INVALID_NEXT_TOKEN", "The NextToken is not valid for %s; pass the NextToken of the previous response unchanged.", action)
		}
		p.after = t.K
	}
	return p, nil
}

// scanPage pages through table's keys under prefix. item decodes one
// document and reports whether it belongs in the listing (filters); the
// page ends after p.limit items, with a NextToken when a further item
// qualifies (nil at the end, so clients stop exactly when AWS's would).
func scanPage[T any](p *page, tx store.Tx, table, prefix string, item func(key string, doc store.Doc) (T, bool, error)) ([]T, *string, error) {
	out := []T{}
	var last string
	more := false
	err := tx.Scan(table, prefix, p.after, func(k string, d store.Doc) (bool, error) {
		v, ok, err := item(k, d)
		if err != nil || !ok {
			return err == nil, err
		}
		if len(out) == p.limit {
			more = true
			return false, nil
		}
		out = append(out, v)
		last = k
		return true, nil
	})
	if err != nil {
		return nil, nil, err
	}
	if !more {
		return out, nil, nil
	}
	raw, _ := json.Marshal(token{A: p.action, K: last})
	s := base64.RawURLEncoding.EncodeToString(raw)
	return out, &s, nil
}

// pageSlice pages an in-memory listing sorted by keyOf (small listings
// such as ListParents and ListTagsForResource).
func pageSlice[T any](p *page, items []T, keyOf func(T) string) ([]T, *string) {
	out := []T{}
	for i, it := range items {
		k := keyOf(it)
		if p.after != "" && k <= p.after {
			continue
		}
		if len(out) == p.limit {
			raw, _ := json.Marshal(token{A: p.action, K: keyOf(items[i-1])})
			s := base64.RawURLEncoding.EncodeToString(raw)
			return out, &s
		}
		out = append(out, it)
	}
	return out, nil
}
