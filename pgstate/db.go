package pgstate

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is khabar's shared state in one PostgreSQL database (or one schema of
// it): a connection pool whose schema is migrated. The concerns ([Digests],
// [Leader], [RateLimiter], [Memory], [Feeds], [Reload], [Inbox], [Pacer])
// are built over it. It is safe for concurrent use.
type DB struct {
	pool   *pgxpool.Pool
	schema string
}

// Options tune [Open].
type Options struct {
	// Schema is the schema every table lives in (created when missing);
	// "" is the connection's default (public). Advisory locks and
	// notification channels are scoped to it, so that two schemas of one
	// database (the tests' parallel runs) never meet.
	Schema string
	// MaxConns caps the pool; 0 is pgxpool's default (at least 4).
	MaxConns int32
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// ErrConfig marks a DATABASE_URL or schema that cannot be used. Its text
// never quotes the URL (which may hold a password).
var ErrConfig = errors.New("bad PostgreSQL configuration")

// Open connects to the database at url (a postgres:// URL or a key=value
// DSN), creates the schema when asked, and applies the embedded migrations
// that have not run yet (see [Migrate]). Errors do not quote url.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("%w: DATABASE_URL does not parse", ErrConfig)
	}
	if opts.Schema != "" && !schemaName.MatchString(opts.Schema) {
		return nil, fmt.Errorf("%w: schema %q is not a lower-case identifier", ErrConfig, opts.Schema)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "khabar"
	if opts.Schema != "" {
		// The schema must exist before a pooled connection uses it.
		conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
		if err != nil {
			return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
		}
		// Replicas starting together: CREATE SCHEMA IF NOT EXISTS is not
		// safe against itself (a unique violation), so one at a time.
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", (&DB{schema: opts.Schema}).lockKey("schema")); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{opts.Schema}.Sanitize())
			return err
		})
		conn.Close(context.WithoutCancel(ctx))
		if err != nil {
			return nil, fmt.Errorf("create schema: %w", err)
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	db := &DB{pool: pool, schema: opts.Schema}
	if err := db.ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if db.schema == "" {
		if err := pool.QueryRow(ctx, "SELECT current_schema()").Scan(&db.schema); err != nil {
			pool.Close()
			return nil, fmt.Errorf("current schema: %w", err)
		}
	}
	if err := Migrate(ctx, db); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return nil
}

// Close closes the pool.
func (db *DB) Close() { db.pool.Close() }

// Pool is the connection pool, for a caller's own queries (and the tests).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Schema is the schema the tables are in.
func (db *DB) Schema() string { return db.schema }

// lockKey is the advisory lock key of purpose, scoped to the schema.
func (db *DB) lockKey(purpose string) int64 {
	h := fnv.New64a()
	h.Write([]byte("khabar\x00" + db.schema + "\x00" + purpose))
	return int64(h.Sum64())
}

// channel is the LISTEN/NOTIFY channel of purpose, scoped to the schema.
func (db *DB) channel(purpose string) string {
	return "khabar_" + purpose + "_" + db.schema
}

// connConfig is a copy of the pool's connection settings, for a dedicated
// connection outside the pool (the leader lock, LISTEN).
func (db *DB) connConfig() *pgx.ConnConfig { return db.pool.Config().ConnConfig.Copy() }

// CheckURL reports whether url is a connection string pgx reads (a
// postgres:// URL or key=value pairs), without connecting. Its error never
// quotes url.
func CheckURL(url string) error {
	if _, err := pgxpool.ParseConfig(url); err != nil {
		return fmt.Errorf("%w: DATABASE_URL does not parse", ErrConfig)
	}
	return nil
}
