package layout

import (
	"testing"
)

// FuzzLoad runs decode + expand + validate over arbitrary bytes: it must
// never panic or hang, and must report an error for any input it cannot
// turn into a layout. Policy files come from an in-memory file system so
// the fuzzer explores the documents' checks too. The committed seed corpus
// is under testdata/fuzz/FuzzLoad (anchor bombs, deep nesting, binary
// junk, tabs, the valid base layout).
func FuzzLoad(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte("version: 1\norganization: {name: x}\naccounts: {}\n"))
	read := readFS(testFS())
	f.Fuzz(func(t *testing.T, src []byte) {
		l, ds := Parse("bulkhead.yaml", src, Options{ReadFile: read})
		if l == nil && !ds.HasErrors() {
			t.Fatalf("no layout and no error for %q", src)
		}
		for _, d := range ds {
			if d.Summary == "" {
				t.Fatalf("diagnostic without a summary: %+v", d)
			}
			if d.Code == "internal" {
				t.Fatalf("internal error (a recovered panic): %s", d.Summary)
			}
		}
	})
}
