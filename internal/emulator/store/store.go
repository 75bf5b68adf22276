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
	writer *sql.DB
	reader *sql.DB
}

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
	return &DB{path: path, writer: w, reader: r}, nil
}

// Path is the SQLite file backing the store.
func (db *DB) Path() string { return db.path }

// Close closes the store.
func (db *DB) Close() error {
	return errors.Join(db.reader.Close(), db.writer.Close())
}

// Read runs fn in a read-only transaction on a consistent snapshot.
func (db *DB) Read(ctx context.Context, fn func(Tx) error) error {
	return db.run(ctx, db.reader, true, fn)
}

// Write runs fn in a read-write transaction; writes are serialized. The
// transaction commits when fn returns nil and rolls back otherwise.
func (db *DB) Write(ctx context.Context, fn func(Tx) error) error {
	return db.run(ctx, db.writer, false, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(Tx) error) (err error) {
	stx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = stx.Rollback()
			return
		}
		if cerr := stx.Commit(); cerr != nil {
			err = fmt.Errorf("store: commit: %w", cerr)
		}
	}()
	return fn(&tx{tx: stx, readOnly: readOnly})
}

type tx struct {
	tx       *sql.Tx
	readOnly bool
}

func (t *tx) Get(table, key string, v any) (bool, error) {
	var raw []byte
	err := t.tx.QueryRow(`SELECT v FROM kv WHERE tbl = ? AND k = ?`, table, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: get %s/%s: %w", table, key, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("store: decode %s/%s: %w", table, key, err)
	}
	return true, nil
}

func (t *tx) Put(table, key string, v any) error {
	if t.readOnly {
		return ErrReadOnly
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s/%s: %w", table, key, err)
	}
	if _, err := t.tx.Exec(`INSERT INTO kv (tbl, k, v) VALUES (?, ?, ?) ON CONFLICT (tbl, k) DO UPDATE SET v = excluded.v`, table, key, raw); err != nil {
		return fmt.Errorf("store: put %s/%s: %w", table, key, err)
	}
	return nil
}

func (t *tx) Insert(table, key string, v any) error {
	if t.readOnly {
		return ErrReadOnly
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s/%s: %w", table, key, err)
	}
	res, err := t.tx.Exec(`INSERT INTO kv (tbl, k, v) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, table, key, raw)
	if err != nil {
		return fmt.Errorf("store: insert %s/%s: %w", table, key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrExists
	}
	return nil
}

func (t *tx) Delete(table, key string) (bool, error) {
	if t.readOnly {
		return false, ErrReadOnly
	}
	res, err := t.tx.Exec(`DELETE FROM kv WHERE tbl = ? AND k = ?`, table, key)
	if err != nil {
		return false, fmt.Errorf("store: delete %s/%s: %w", table, key, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// upper is an exclusive upper bound for keys starting with prefix: SQLite
// compares TEXT bytewise, and no UTF-8 key contains the byte 0xff.
func upper(prefix string) string { return prefix + "\xff" }

func (t *tx) Scan(table, prefix, after string, fn func(string, Doc) (bool, error)) error {
	lo := prefix
	op := ">="
	if after != "" && after >= prefix {
		lo, op = after, ">"
	}
	rows, err := t.tx.Query(`SELECT k, v FROM kv WHERE tbl = ? AND k `+op+` ? AND k < ? ORDER BY k`, table, lo, upper(prefix))
	if err != nil {
		return fmt.Errorf("store: scan %s/%s: %w", table, prefix, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var v []byte
		if err := rows.Scan(&k, &v); err != nil {
			return fmt.Errorf("store: scan %s/%s: %w", table, prefix, err)
		}
		more, err := fn(k, Doc(v))
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	return rows.Err()
}

func (t *tx) Count(table, prefix string) (int, error) {
	var n int
	err := t.tx.QueryRow(`SELECT count(*) FROM kv WHERE tbl = ? AND k >= ? AND k < ?`, table, prefix, upper(prefix)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count %s/%s: %w", table, prefix, err)
	}
	return n, nil
}
