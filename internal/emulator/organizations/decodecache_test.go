package organizations

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// TestDecodeCacheTypes checks that the types decoded through a decodeCache
// can be handed out by value: a slice, map or pointer field (other than
// time.Time's location) would be shared between the cache and callers.
func TestDecodeCacheTypes(t *testing.T) {
	timeType := reflect.TypeFor[time.Time]()
	for _, typ := range []reflect.Type{reflect.TypeFor[accountDoc]()} {
		for f := range typ.Fields() {
			switch k := f.Type.Kind(); {
			case f.Type == timeType, k == reflect.String, k == reflect.Bool, k >= reflect.Int && k <= reflect.Float64:
			default:
				t.Errorf("%s.%s is a %s: a decodeCache would share it between callers; copy it in decode or drop the cache", typ.Name(), f.Name, f.Type)
			}
		}
	}
}

func TestDecodeCache(t *testing.T) {
	var c decodeCache[accountDoc]
	doc := func(name string) store.Doc {
		return store.Doc(fmt.Sprintf(`{"id":"111111111111","name":%q,"joined":"2026-01-02T03:04:05Z","status":"ACTIVE"}`, name))
	}
	want := accountDoc{ID: "111111111111", Name: "a", Status: "ACTIVE", Joined: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	for i := range 2 { // decoded, then from the cache
		var got accountDoc
		if err := c.decode(doc("a"), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("decode %d (-want +got):\n%s", i, diff)
		}
		got.Name = "changed by the caller"
	}
	var b accountDoc
	if err := c.decode(doc("b"), &b); err != nil || b.Name != "b" {
		t.Fatalf("other bytes decode to %q, %v; want b", b.Name, err)
	}
	if err := c.decode(store.Doc(`{"id":`), &b); err == nil {
		t.Fatal("truncated document decoded without error")
	}
	for i := range maxDecodeCache + 10 {
		var a accountDoc
		if err := c.decode(doc(fmt.Sprint(i)), &a); err != nil || a.Name != fmt.Sprint(i) {
			t.Fatalf("decode %d: %q %v", i, a.Name, err)
		}
	}
	if n := len(c.m); n > maxDecodeCache {
		t.Fatalf("cache holds %d entries, bound %d", n, maxDecodeCache)
	}
}
