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
	// wstmts are the store's statements prepared on the writer pool:
	// database/sql prepares each once per connection and a transaction
	// reuses its connection's (parsing SQL was a tenth of a request's CPU).
	wstmts *stmts
	// rconns are the reader connections' prepared statements (read.go).
	rconns readConns
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

// stmts is one pool's prepared statements (nil for those the pool does not
// run: the reader's writes).
type stmts [numStmts]*sql.Stmt

func prepare(ctx context.Context, db *sql.DB, ids ...stmtID) (*stmts, error) {
	var s stmts
	for _, id := range ids {
		st, err := db.PrepareContext(ctx, stmtSQL[id])
		if err != nil {
			s.close()
			return nil, err
		}
		s[id] = st
	}
	return &s, nil
}

func (s *stmts) close() error {
	var errs []error
	for _, st := range s {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
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
	ws, err := prepare(ctx, w, stGet, stPut, stInsert, stDelete, stScanGE, stScanGT, stCount)
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return &DB{path: path, writer: w, reader: r, wstmts: ws}, nil
}

// Path is the SQLite file backing the store.
func (db *DB) Path() string { return db.path }

// Close closes the store.
func (db *DB) Close() error {
	return errors.Join(db.rconns.closeAll(), db.wstmts.close(), db.reader.Close(), db.writer.Close())
}

// Read runs fn in a read-only transaction on a consistent snapshot.
func (db *DB) Read(ctx context.Context, fn func(Tx) error) error {
	return db.read(ctx, fn)
}

// Write runs fn in a read-write transaction; writes are serialized. The
// transaction commits when fn returns nil and rolls back otherwise.
func (db *DB) Write(ctx context.Context, fn func(Tx) error) error {
	return db.run(ctx, db.writer, db.wstmts, false, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, prepared *stmts, readOnly bool, fn func(Tx) error) (err error) {
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
	return fn(&tx{tx: stx, prepared: prepared, readOnly: readOnly})
}

type tx struct {
	tx       *sql.Tx
	prepared *stmts
	// bound are the prepared statements bound to this transaction's
	// connection, made on first use; busy marks a scan statement whose
	// rows are open (a Scan inside a Scan's callback then runs its query
	// unprepared: one SQLite statement cannot iterate twice at once).
	bound    stmts
	busy     [numStmts]bool
	readOnly bool
}

// stmt is statement id bound to the transaction, or nil when it is busy
// or not prepared on this pool; callers then run the SQL unprepared.
func (t *tx) stmt(id stmtID) *sql.Stmt {
	if t.busy[id] {
		return nil
	}
	if s := t.bound[id]; s != nil {
		return s
	}
	p := t.prepared[id]
	if p == nil {
		return nil
	}
	s := t.tx.Stmt(p)
	t.bound[id] = s
	return s
}

func (t *tx) queryRow(id stmtID, args ...any) *sql.Row {
	if s := t.stmt(id); s != nil {
		return s.QueryRow(args...)
	}
	return t.tx.QueryRow(stmtSQL[id], args...)
}

func (t *tx) exec(id stmtID, args ...any) (sql.Result, error) {
	if s := t.stmt(id); s != nil {
		return s.Exec(args...)
	}
	return t.tx.Exec(stmtSQL[id], args...)
}

func (t *tx) Get(table, key string, v any) (bool, error) {
	var raw []byte
	err := t.queryRow(stGet, table, key).Scan(&raw)
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
	if _, err := t.exec(stPut, table, key, raw); err != nil {
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
	res, err := t.exec(stInsert, table, key, raw)
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
	res, err := t.exec(stDelete, table, key)
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
	id := stScanGE
	if after != "" && after >= prefix {
		lo, id = after, stScanGT
	}
	var rows *sql.Rows
	var err error
	if s := t.stmt(id); s != nil {
		rows, err = s.Query(table, lo, upper(prefix))
		if err == nil {
			t.busy[id] = true
			defer func() { t.busy[id] = false }()
		}
	} else {
		rows, err = t.tx.Query(stmtSQL[id], table, lo, upper(prefix))
	}
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
	err := t.queryRow(stCount, table, prefix, upper(prefix)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count %s/%s: %w", table, prefix, err)
	}
	return n, nil
}
