package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Transactions run on the driver connection directly (sql.Conn.Raw):
// database/sql's per-statement locking, argument conversion, Row.Scan
// copies and per-transaction context goroutine, and the driver's preparing
// BEGIN and COMMIT again each time, were a third of a read's CPU. Each
// connection keeps its own prepared statements (connStmts), made on first
// use; database/sql still owns the pools, so a connection is used by one
// request at a time, and the writer pool's one connection serializes
// writers.

// readStmts are the statements a read transaction runs, by stmtID
// (writes stay nil).
var readStmts = []stmtID{stGet, stScanGE, stScanGT, stCount}

// writeStmts are all of them.
var writeStmts = []stmtID{stGet, stPut, stInsert, stDelete, stScanGE, stScanGT, stCount}

const (
	sqlCommit   = `COMMIT`
	sqlRollback = `ROLLBACK`
)

// connStmts is one reader connection's prepared statements.
type connStmts struct {
	begin, commit, rollback driver.Stmt
	q                       [numStmts]driver.Stmt
}

func prepareConn(ctx context.Context, c driver.Conn, begin string, ids []stmtID) (*connStmts, error) {
	p, ok := c.(driver.ConnPrepareContext)
	if !ok {
		return nil, errors.New("store: driver cannot prepare with a context")
	}
	cs := &connStmts{}
	var err error
	prep := func(q string) driver.Stmt {
		if err != nil {
			return nil
		}
		var s driver.Stmt
		s, err = p.PrepareContext(ctx, q)
		return s
	}
	cs.begin, cs.commit, cs.rollback = prep(begin), prep(sqlCommit), prep(sqlRollback)
	for _, id := range ids {
		cs.q[id] = prep(stmtSQL[id])
	}
	if err != nil {
		cs.close()
		return nil, err
	}
	return cs, nil
}

func (cs *connStmts) close() error {
	var errs []error
	for _, s := range append([]driver.Stmt{cs.begin, cs.commit, cs.rollback}, cs.q[:]...) {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}

// pool is one of the store's connection pools (reader or writer) and its
// connections' statements.
type pool struct {
	db       *sql.DB
	begin    string   // BEGIN or BEGIN IMMEDIATE
	ids      []stmtID // the statements its transactions run
	readOnly bool

	mu sync.Mutex
	m  map[driver.Conn]*connStmts
}

func (r *pool) get(ctx context.Context, c driver.Conn) (*connStmts, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cs := r.m[c]; cs != nil {
		return cs, nil
	}
	cs, err := prepareConn(ctx, c, r.begin, r.ids)
	if err != nil {
		return nil, err
	}
	if r.m == nil {
		r.m = make(map[driver.Conn]*connStmts)
	}
	r.m[c] = cs
	return cs, nil
}

// drop forgets a connection database/sql is about to discard.
func (r *pool) drop(c driver.Conn) {
	r.mu.Lock()
	cs := r.m[c]
	delete(r.m, c)
	r.mu.Unlock()
	if cs != nil {
		_ = cs.close()
	}
}

// close closes every connection's statements, then the pool.
func (r *pool) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for c, cs := range r.m {
		errs = append(errs, cs.close())
		delete(r.m, c)
	}
	return errors.Join(append(errs, r.db.Close())...)
}

func execStmt(s driver.Stmt) error {
	_, err := s.(driver.StmtExecContext).ExecContext(context.Background(), nil)
	return err
}

// run runs fn in a transaction on one of p's connections: committed when
// fn returns nil, rolled back otherwise (and on a panic, which goes on).
func (p *pool) run(ctx context.Context, fn func(Tx) error) error {
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer conn.Close()
	var fnErr error
	err = conn.Raw(func(dc any) (err error) {
		c := dc.(driver.Conn)
		cs, err := p.get(ctx, c)
		if err != nil {
			return fmt.Errorf("store: begin: %w", err)
		}
		if err := execStmt(cs.begin); err != nil {
			return fmt.Errorf("store: begin: %w", err)
		}
		defer func() {
			pv := recover()
			if pv != nil || fnErr != nil || err != nil {
				if rerr := execStmt(cs.rollback); rerr != nil {
					// The connection may still be in the transaction:
					// database/sql must discard it.
					p.drop(c)
					err = errors.Join(err, driver.ErrBadConn)
				}
				if pv != nil {
					// database/sql discards a connection whose Raw
					// function panicked.
					p.drop(c)
					panic(pv)
				}
				return
			}
			if cerr := execStmt(cs.commit); cerr != nil {
				err = fmt.Errorf("store: commit: %w", cerr)
				if rerr := execStmt(cs.rollback); rerr != nil {
					p.drop(c)
					err = errors.Join(err, driver.ErrBadConn)
				}
			}
		}()
		t := &rtx{conn: c, cs: cs, readOnly: p.readOnly}
		fnErr = fn(t)
		return nil
	})
	if err != nil {
		return err
	}
	return fnErr
}

// rtx is a transaction on a driver connection.
type rtx struct {
	conn     driver.Conn
	cs       *connStmts
	readOnly bool
	// busy marks a scan statement whose rows are open: a Scan inside a
	// Scan's callback then prepares its own.
	busy [numStmts]bool
}

func args(vs ...any) []driver.NamedValue {
	out := make([]driver.NamedValue, len(vs))
	for i, v := range vs {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// exec runs write statement id and returns the rows it changed.
func (t *rtx) exec(id stmtID, a []driver.NamedValue) (int64, error) {
	if t.readOnly {
		return 0, ErrReadOnly
	}
	res, err := t.cs.q[id].(driver.StmtExecContext).ExecContext(context.Background(), a)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// query runs statement id, returning its rows and a function to call when
// they are closed.
func (t *rtx) query(id stmtID, a []driver.NamedValue) (driver.Rows, func(), error) {
	s := t.cs.q[id]
	done := func() {}
	if t.busy[id] {
		ps, err := t.conn.(driver.ConnPrepareContext).PrepareContext(context.Background(), stmtSQL[id])
		if err != nil {
			return nil, nil, err
		}
		s, done = ps, func() { _ = ps.Close() }
	} else {
		t.busy[id] = true
		done = func() { t.busy[id] = false }
	}
	rows, err := s.(driver.StmtQueryContext).QueryContext(context.Background(), a)
	if err != nil {
		done()
		return nil, nil, err
	}
	return rows, done, nil
}

// one runs a single-row query and returns its values (nil when no row).
func (t *rtx) one(id stmtID, a []driver.NamedValue, n int) ([]driver.Value, error) {
	rows, done, err := t.query(id, a)
	if err != nil {
		return nil, err
	}
	defer done()
	dest := make([]driver.Value, n)
	err = rows.Next(dest)
	cerr := rows.Close()
	if errors.Is(err, io.EOF) {
		return nil, cerr
	}
	if err != nil {
		return nil, err
	}
	return dest, cerr
}

func asBytes(v driver.Value) ([]byte, error) {
	switch v := v.(type) {
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("unexpected %T", v)
}

func (t *rtx) Get(table, key string, v any) (bool, error) {
	row, err := t.one(stGet, args(table, key), 1)
	if err != nil {
		return false, fmt.Errorf("store: get %s/%s: %w", table, key, err)
	}
	if row == nil {
		return false, nil
	}
	raw, err := asBytes(row[0])
	if err != nil {
		return false, fmt.Errorf("store: get %s/%s: %w", table, key, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("store: decode %s/%s: %w", table, key, err)
	}
	return true, nil
}

func (t *rtx) Put(table, key string, v any) error {
	if t.readOnly {
		return ErrReadOnly
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s/%s: %w", table, key, err)
	}
	if _, err := t.exec(stPut, args(table, key, raw)); err != nil {
		return fmt.Errorf("store: put %s/%s: %w", table, key, err)
	}
	return nil
}

func (t *rtx) Insert(table, key string, v any) error {
	if t.readOnly {
		return ErrReadOnly
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s/%s: %w", table, key, err)
	}
	n, err := t.exec(stInsert, args(table, key, raw))
	if err != nil {
		return fmt.Errorf("store: insert %s/%s: %w", table, key, err)
	}
	if n == 0 {
		return ErrExists
	}
	return nil
}

func (t *rtx) Delete(table, key string) (bool, error) {
	if t.readOnly {
		return false, ErrReadOnly
	}
	n, err := t.exec(stDelete, args(table, key))
	if err != nil {
		return false, fmt.Errorf("store: delete %s/%s: %w", table, key, err)
	}
	return n > 0, nil
}

func (t *rtx) Scan(table, prefix, after string, fn func(string, Doc) (bool, error)) error {
	lo := prefix
	id := stScanGE
	if after != "" && after >= prefix {
		lo, id = after, stScanGT
	}
	rows, done, err := t.query(id, args(table, lo, upper(prefix)))
	if err != nil {
		return fmt.Errorf("store: scan %s/%s: %w", table, prefix, err)
	}
	defer done()
	defer rows.Close()
	dest := make([]driver.Value, 2)
	for {
		err := rows.Next(dest)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("store: scan %s/%s: %w", table, prefix, err)
		}
		k, ok := dest[0].(string)
		if !ok {
			b, err := asBytes(dest[0])
			if err != nil {
				return fmt.Errorf("store: scan %s/%s: key: %w", table, prefix, err)
			}
			k = string(b)
		}
		v, err := asBytes(dest[1])
		if err != nil {
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
	return nil
}

func (t *rtx) Count(table, prefix string) (int, error) {
	row, err := t.one(stCount, args(table, prefix, upper(prefix)), 1)
	if err == nil && row == nil {
		err = errors.New("no row")
	}
	if err != nil {
		return 0, fmt.Errorf("store: count %s/%s: %w", table, prefix, err)
	}
	n, ok := row[0].(int64)
	if !ok {
		return 0, fmt.Errorf("store: count %s/%s: unexpected %T", table, prefix, row[0])
	}
	return int(n), nil
}
