package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type item struct {
	Name string
	N    int
}

func open(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPutGetScanDelete(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	err := db.Write(ctx, func(tx Tx) error {
		for _, k := range []string{"a/2", "a/1", "b/1", "a/3"} {
			if err := tx.Put("t", k, item{Name: k}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = db.Read(ctx, func(tx Tx) error {
		var it item
		if ok, err := tx.Get("t", "a/2", &it); err != nil || !ok || it.Name != "a/2" {
			return fmt.Errorf("get a/2 = %v %v %v", it, ok, err)
		}
		if ok, err := tx.Get("t", "zz", &it); err != nil || ok {
			return fmt.Errorf("get zz = %v %v", ok, err)
		}
		n, err := tx.Count("t", "a/")
		if err != nil || n != 3 {
			return fmt.Errorf("count = %d %v", n, err)
		}
		return tx.Scan("t", "a/", "a/1", func(k string, d Doc) (bool, error) {
			got = append(got, k)
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a/2", "a/3"}, got); diff != "" {
		t.Errorf("scan after a/1 (-want +got):\n%s", diff)
	}
	if err := db.Read(ctx, func(tx Tx) error { return tx.Put("t", "x", item{}) }); !errors.Is(err, ErrReadOnly) {
		t.Errorf("put in read tx: %v, want ErrReadOnly", err)
	}
}

func TestWriteRollsBackOnError(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	boom := errors.New("boom")
	err := db.Write(ctx, func(tx Tx) error {
		if err := tx.Put("t", "k", item{N: 1}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("write = %v, want boom", err)
	}
	_ = db.Read(ctx, func(tx Tx) error {
		if ok, _ := tx.Get("t", "k", &item{}); ok {
			t.Error("write after failed transaction is visible")
		}
		return nil
	})
}

func TestInsertExists(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	err := db.Write(ctx, func(tx Tx) error {
		if err := tx.Insert("t", "k", item{}); err != nil {
			return err
		}
		return tx.Insert("t", "k", item{})
	})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("second insert = %v, want ErrExists", err)
	}
}

func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 25 {
				err := db.Write(ctx, func(tx Tx) error {
					var c item
					if _, err := tx.Get("t", "counter", &c); err != nil {
						return err
					}
					c.N++
					return tx.Put("t", "counter", c)
				})
				if err != nil {
					t.Errorf("writer %d/%d: %v", i, j, err)
				}
			}
		}()
	}
	wg.Wait()
	var c item
	_ = db.Read(ctx, func(tx Tx) error { _, err := tx.Get("t", "counter", &c); return err })
	if c.N != 200 {
		t.Errorf("counter = %d, want 200 (lost updates)", c.N)
	}
}

// TestNestedScan runs a Scan and Gets inside a Scan's callback on the same
// table: the inner scan must not disturb the outer one's statement (the
// store reuses prepared statements within a transaction).
func TestNestedScan(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	keys := []string{"a/1", "a/2", "a/3"}
	err := db.Write(ctx, func(tx Tx) error {
		for _, k := range keys {
			if err := tx.Put("t", k, item{Name: k}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"read", "write"} {
		run := db.Read
		if name == "write" {
			run = db.Write
		}
		var outer, inner []string
		err := run(ctx, func(tx Tx) error {
			return tx.Scan("t", "a/", "", func(k string, _ Doc) (bool, error) {
				outer = append(outer, k)
				var it item
				if ok, err := tx.Get("t", k, &it); err != nil || !ok || it.Name != k {
					return false, fmt.Errorf("get %s = %v %v %v", k, it, ok, err)
				}
				// The same statement as the outer scan (no lower bound),
				// then the other one (after k).
				for _, after := range []string{"", k} {
					err := tx.Scan("t", "a/", after, func(k2 string, _ Doc) (bool, error) {
						inner = append(inner, k2)
						return true, nil
					})
					if err != nil {
						return false, err
					}
				}
				return true, nil
			})
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(keys, outer); diff != "" {
			t.Errorf("%s: outer scan (-want +got):\n%s", name, diff)
		}
		if diff := cmp.Diff([]string{"a/1", "a/2", "a/3", "a/2", "a/3", "a/1", "a/2", "a/3", "a/3", "a/1", "a/2", "a/3"}, inner); diff != "" {
			t.Errorf("%s: inner scans (-want +got):\n%s", name, diff)
		}
	}
}

// TestReadTx covers the read path's own transaction handling: writes are
// refused, a panic rolls back and the store keeps serving reads, and a read
// transaction keeps its snapshot while a write commits.
func TestReadTx(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	put := func(n int) {
		t.Helper()
		if err := db.Write(ctx, func(tx Tx) error { return tx.Put("t", "k", item{N: n}) }); err != nil {
			t.Fatal(err)
		}
	}
	put(1)
	err := db.Read(ctx, func(tx Tx) error {
		var errs []error
		errs = append(errs, tx.Put("t", "k", item{}), tx.Insert("t", "x", item{}))
		_, err := tx.Delete("t", "k")
		errs = append(errs, err)
		for i, err := range errs {
			if !errors.Is(err, ErrReadOnly) {
				return fmt.Errorf("write %d in a read transaction: %v, want ErrReadOnly", i, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 { // more than the pool's connections
		func() {
			defer func() {
				if p := recover(); p != "boom" {
					t.Fatalf("recovered %v, want boom", p)
				}
			}()
			_ = db.Read(ctx, func(tx Tx) error {
				var it item
				_, _ = tx.Get("t", "k", &it)
				panic("boom")
			})
		}()
	}
	err = db.Read(ctx, func(tx Tx) error {
		var before, after item
		if _, err := tx.Get("t", "k", &before); err != nil {
			return err
		}
		put(2)
		if _, err := tx.Get("t", "k", &after); err != nil {
			return err
		}
		if before.N != 1 || after.N != 1 {
			return fmt.Errorf("read %d then %d in one transaction, want 1 and 1", before.N, after.N)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var it item
	if err := db.Read(ctx, func(tx Tx) error { _, err := tx.Get("t", "k", &it); return err }); err != nil || it.N != 2 {
		t.Fatalf("after the write: %v %v, want 2", it.N, err)
	}
}

// TestTwoHandles opens the same directory twice, as bulkhead local serve
// and an in-process bulkhead do: writers on both handles are serialized
// (no lost update) and each handle reads the other's writes at once.
func TestTwoHandles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var dbs [2]*DB
	for i := range dbs {
		db, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			db := dbs[i%2]
			for j := range 25 {
				err := db.Write(ctx, func(tx Tx) error {
					var c item
					if _, err := tx.Get("t", "counter", &c); err != nil {
						return err
					}
					c.N++
					return tx.Put("t", "counter", c)
				})
				if err != nil {
					t.Errorf("writer %d/%d: %v", i, j, err)
				}
			}
		})
	}
	wg.Wait()
	for n := range 3 {
		if err := dbs[n%2].Write(ctx, func(tx Tx) error { return tx.Put("t", "x", item{N: n}) }); err != nil {
			t.Fatal(err)
		}
		for i, db := range dbs {
			var c, x item
			err := db.Read(ctx, func(tx Tx) error {
				if _, err := tx.Get("t", "counter", &c); err != nil {
					return err
				}
				_, err := tx.Get("t", "x", &x)
				return err
			})
			if err != nil || c.N != 100 || x.N != n {
				t.Errorf("handle %d reads counter %d, x %d (%v), want 100 and %d", i, c.N, x.N, err, n)
			}
		}
	}
}
