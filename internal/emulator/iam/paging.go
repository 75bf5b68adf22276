package iam

import (
	"context"
	"encoding/base64"
	"sort"
	"strconv"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Pagination, as every IAM List* and GetAccountAuthorizationDetails do it:
// MaxItems (1 to 1000, default 100) and an opaque Marker; the response says
// IsTruncated and carries the Marker of the next page
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html).
// Our marker is the base64 of the last key returned, so a page resumes
// exactly after it even if entities were added or removed meanwhile.

const defaultMaxItems = 100

// page is the validated pagination request.
type page struct {
	after string // key to resume after; "" for the first page
	limit int
}

func parsePage(marker string, maxItems int) (page, error) {
	p := page{limit: defaultMaxItems}
	if maxItems != 0 {
		if maxItems < 1 || maxItems > 1000 {
			return p, validationError("maxItems", strconv.Itoa(maxItems), "Member must have value between 1 and 1000")
		}
		p.limit = maxItems
	}
	if marker != "" {
		b, err := base64.RawURLEncoding.DecodeString(marker)
		if err != nil || len(b) == 0 {
			return p, validationError("marker", marker, "Member must be a Marker returned by a previous call")
		}
		p.after = string(b)
	}
	return p, nil
}

// parsePathPage checks the PathPrefix filter, then the page parameters,
// of a List* input; the prefix is "/" when none was sent.
func parsePathPage(pathPrefix, marker string, maxItems int) (string, page, error) {
	prefix, err := checkPathPrefix(pathPrefix)
	if err != nil {
		return "", page{}, err
	}
	p, err := parsePage(marker, maxItems)
	return prefix, p, err
}

func encodeMarker(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// pageInfo is embedded (by value) in list outputs.
type pageInfo struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

// sliceKeyed is an item of an in-memory list and its sort key.
type sliceKeyed[T any] struct {
	key  string
	item T
}

// pageSlice returns the page of items (sorted by key) after p.after.
func pageSlice[T any](items []sliceKeyed[T], p page) ([]T, pageInfo) {
	var out []T
	var info pageInfo
	for _, it := range items {
		if p.after != "" && it.key <= p.after {
			continue
		}
		if len(out) == p.limit {
			info.IsTruncated = true
			break
		}
		out = append(out, it.item)
		info.Marker = it.key
	}
	if !info.IsTruncated {
		info.Marker = ""
	} else {
		info.Marker = encodeMarker(info.Marker)
	}
	return out, info
}

// pageOrdered returns the page of an ordered in-memory list (tags,
// policy versions, simulation results) after p.after; positions are the
// keys.
func pageOrdered[T any](list []T, p page) ([]T, pageInfo) {
	items := make([]sliceKeyed[T], len(list))
	for i, it := range list {
		items[i] = sliceKeyed[T]{key: keyIndex(i), item: it}
	}
	return pageSlice(items, p)
}

// keyIndex is a sort key for position i of an ordered list.
func keyIndex(i int) string {
	const digits = "0123456789"
	b := []byte("000000")
	for j := len(b) - 1; j >= 0 && i > 0; j-- {
		b[j] = digits[i%10]
		i /= 10
	}
	return string(b)
}

// scanPage pages through the records (of type R) of table under prefix.
// keep renders a record and says whether it belongs in the list (filters
// such as PathPrefix); it is called until a page is full plus one more
// match, so IsTruncated is exact.
func scanPage[R, T any](tx store.Tx, table, prefix string, p page, keep func(*R) (T, bool, error)) ([]T, pageInfo, error) {
	var out []T
	var info pageInfo
	last := ""
	err := tx.Scan(table, prefix, p.after, func(key string, doc store.Doc) (bool, error) {
		var rec R
		if err := doc.Decode(&rec); err != nil {
			return false, err
		}
		item, ok, err := keep(&rec)
		if err != nil || !ok {
			return err == nil, err
		}
		if len(out) == p.limit {
			info.IsTruncated = true
			return false, nil
		}
		out = append(out, item)
		last = key
		return true, nil
	})
	if info.IsTruncated {
		info.Marker = encodeMarker(last)
	}
	return out, info, err
}

// listByPath answers ListUsers, ListGroups, ListRoles and
// ListInstanceProfiles: the caller's records of table whose path (pathOf)
// starts with the PathPrefix parameter, in name order, paged. The request
// is authorized on wildcard (the ARN of "*" at path "/"); out renders a
// record that passed the filter; what names the list in store failures.
func listByPath[R, T any](ctx context.Context, r *service.Request, table, wildcard, what string, pathOf func(*R) string, out func(*R) (T, error)) ([]T, pageInfo, error) {
	var in struct {
		PathPrefix string
		Marker     string
		MaxItems   int
	}
	if err := r.Decode(&in); err != nil {
		return nil, pageInfo{}, err
	}
	prefix, p, err := parsePathPage(in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, pageInfo{}, err
	}
	if err := r.Authorize(ctx, service.Authz{Resource: wildcard}); err != nil {
		return nil, pageInfo{}, err
	}
	items, info, err := scanPage(r.Tx, table, r.Caller.Account+"/", p, func(rec *R) (T, bool, error) {
		if !hasPathPrefix(pathOf(rec), prefix) {
			var zero T
			return zero, false, nil
		}
		o, err := out(rec)
		return o, err == nil, err
	})
	if err != nil {
		return nil, pageInfo{}, internal(what, err)
	}
	return items, info, nil
}

func sortKeyed[T any](items []sliceKeyed[T]) {
	sort.Slice(items, func(i, j int) bool { return items[i].key < items[j].key })
}
