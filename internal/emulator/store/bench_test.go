package store

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkRead is the store's share of a ListAccounts request: a read
// transaction with two Gets and a Scan of 21 of 1,000 documents.
func BenchmarkRead(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	err = db.Write(ctx, func(tx Tx) error {
		for i := range 1000 {
			if err := tx.Put("t", fmt.Sprintf("o/%04d", i), item{Name: fmt.Sprintf("account %d", i), N: i}); err != nil {
				return err
			}
		}
		return tx.Put("org", "o", item{Name: "org"})
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, clients := range []int{1, 8} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			b.SetParallelism(max(1, clients/2))
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					after := fmt.Sprintf("o/%04d", i%950)
					i += 20
					err := db.Read(ctx, func(tx Tx) error {
						var it item
						for range 2 {
							if ok, err := tx.Get("org", "o", &it); err != nil || !ok {
								return fmt.Errorf("get: %v %v", ok, err)
							}
						}
						n := 0
						return tx.Scan("t", "o/", after, func(string, Doc) (bool, error) {
							n++
							return n < 21, nil
						})
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
