package pgstate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// databaseURL is the test cluster's URL; without one the test is skipped.
func databaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Skip("DATABASE_URL is unset: skipping this PostgreSQL integration test " +
			`(start a throwaway cluster with: eval "$(scripts/postgres.sh start)", stop it with scripts/postgres.sh stop)`)
	}
	return u
}

// newSchema returns a fresh schema name, dropped when the test ends: each
// test has its own tables, locks and channels, so tests run in parallel and
// again and again on one cluster.
func newSchema(t testing.TB) string {
	t.Helper()
	url := databaseURL(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	return schema
}

// openDB opens schema as one replica does: its own pool.
func openDB(t testing.TB, schema string) *DB {
	t.Helper()
	db, err := Open(context.Background(), databaseURL(t), Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// testDB is a migrated database of the test's own.
func testDB(t testing.TB) *DB {
	t.Helper()
	return openDB(t, newSchema(t))
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
