// Package store is the local AWS's persistence: a transactional key-value
// store of JSON documents in SQLite (modernc.org/sqlite, pure Go, WAL).
//
// Every emulated request runs in exactly one transaction, read-only or
// read-write, so a crash or an error leaves nothing half-written and
// concurrent requests see consistent snapshots. Writers are serialized on
// one connection (SQLite allows one writer); readers run in parallel on a
// pool. Documents live in named tables ("org.account", "iam.user", ...) under
// string keys; keys are ordered bytewise, and services build them so that a
// prefix scan lists what an operation pages through (for example
// "<account>/<name>" for IAM users).
//
// The store knows nothing of AWS; it must not import any service package.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrExists is returned by Insert when the key is already present.
var ErrExists = errors.New("store: key exists")

// ErrReadOnly is returned by writes attempted in a read transaction.
var ErrReadOnly = errors.New("store: write in a read-only transaction")

// Tx is one transaction. It is not safe for concurrent use.
type Tx interface {
	// Get decodes the document at table/key into v and reports whether it
	// exists.
	Get(table, key string, v any) (bool, error)
	// Put creates or replaces the document at table/key.
	Put(table, key string, v any) error
	// Insert creates the document and fails with ErrExists if present.
	Insert(table, key string, v any) error
	// Delete removes table/key and reports whether it existed.
	Delete(table, key string) (bool, error)
	// Scan calls fn for each document in table whose key starts with
	// prefix and sorts after `after` (all when after is ""), in key order,
	// until fn returns false or an error.
	Scan(table, prefix, after string, fn func(key string, doc Doc) (bool, error)) error
	// Count returns the number of documents in table whose key starts with
	// prefix.
	Count(table, prefix string) (int, error)
}

// Doc is a stored document not yet decoded.
type Doc []byte

// Decode unmarshals the document into v.
func (d Doc) Decode(v any) error { return json.Unmarshal(d, v) }

// DB is an open store.
type DB struct {
	path   string
	reader *pool
	writer *pool
}

// The store's statements, by use.
const (
	sqlGet    = `SELECT v FROM kv WHERE tbl = ? AND k = ?`
	sqlPut    = `INSERT INTO kv (tbl, k, v) VALUES (?, ?, ?) ON CONFLICT (tbl, k) DO UPDATE SET v = excluded.v`
	sqlInsert = `INSERT INTO kv (tbl, k, v) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	sqlDelete = `DELETE FROM kv WHERE tbl = ? AND k = ?`
	sqlScanGE = `SELECT k, v FROM kv WHERE tbl = ? AND k >= ? AND k < ? ORDER BY k`
	sqlScanGT = `SELECT k, v FROM kv WHERE tbl = ? AND k > ? AND k < ? ORDER BY k`
	sqlCount  = `SELECT count(*) FROM kv WHERE tbl = ? AND k >= ? AND k < ?`
)

type stmtID int

const (
	stGet stmtID = iota
	stPut
	stInsert
	stDelete
	stScanGE
	stScanGT
	stCount
	numStmts
)

var stmtSQL = [numStmts]string{sqlGet, sqlPut, sqlInsert, sqlDelete, sqlScanGE, sqlScanGT, sqlCount}

const schema = `CREATE TABLE IF NOT EXISTS kv (
	tbl TEXT NOT NULL,
	k   TEXT NOT NULL,
	v   BLOB NOT NULL,
	PRIMARY KEY (tbl, k)
) WITHOUT ROWID`

// Open opens (creating if needed) the store in dir, as dir/state.db.
func Open(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	path := filepath.Join(dir, "state.db")
	dsn := func(txlock string) string {
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "foreign_keys(OFF)")
		q.Set("_txlock", txlock)
		return "file:" + path + "?" + q.Encode()
	}
	w, err := sql.Open("sqlite", dsn("immediate"))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if _, err := w.ExecContext(ctx, schema); err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn("deferred"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := os.Chmod(path, 0o600); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	// The writer begins IMMEDIATE: it takes the write lock at once (and
	// waits for another process's under busy_timeout), so a transaction
	// never fails to upgrade from reading to writing half-way.
	return &DB{
		path:   path,
		reader: &pool{db: r, begin: "BEGIN", ids: readStmts, readOnly: true},
		writer: &pool{db: w, begin: "BEGIN IMMEDIATE", ids: writeStmts},
	}, nil
}

// Path is the SQLite file backing the store.
func (db *DB) Path() string { return db.path }

// Close closes the store.
func (db *DB) Close() error {
	return errors.Join(db.reader.close(), db.writer.close())
}

// Read runs fn in a read-only transaction on a consistent snapshot.
func (db *DB) Read(ctx context.Context, fn func(Tx) error) error {
	return db.reader.run(ctx, fn)
}

// Write runs fn in a read-write transaction; writes are serialized. The
// transaction commits when fn returns nil and rolls back otherwise.
func (db *DB) Write(ctx context.Context, fn func(Tx) error) error {
	return db.writer.run(ctx, fn)
}

// upper is an exclusive upper bound for keys starting with prefix: SQLite
// compares TEXT bytewise, and no UTF-8 key contains the byte 0xff.
func upper(prefix string) string { return prefix + "\xff" }
