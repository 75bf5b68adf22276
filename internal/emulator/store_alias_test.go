package emulator_test

import "github.com/bulkhead-dev/bulkhead/internal/emulator/store"

type (
	storeTx  = store.Tx
	storeDoc = store.Doc
)
