package pgstate

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMigrateOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	// Replicas starting together: each migration runs once.
	var wg sync.WaitGroup
	dbs := make([]*DB, 4)
	errs := make([]error, 4)
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = Open(context.Background(), databaseURL(t), Options{Schema: schema}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(dbs[i].Close)
	}
	got, err := dbs[0].Versions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	if len(got) != len(names) || len(got) == 0 || !slices.IsSorted(got) {
		t.Fatalf("applied %v, want one of each of %v", got, names)
	}
	// And again: nothing to do, no error.
	if err := Migrate(context.Background(), dbs[1]); err != nil {
		t.Fatal(err)
	}
}

func TestOpenBadConfigDoesNotQuoteURL(t *testing.T) {
	t.Parallel()
	const url = "postgres://u:s3cretpw@127.0.0.1:1/db?sslmode=bogus"
	_, err := Open(context.Background(), url, Options{})
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
	if msg := err.Error(); containsAny(msg, "s3cretpw", url) {
		t.Errorf("error quotes the URL: %s", msg)
	}
	// A server that cannot be reached: the error names no password either.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = Open(ctx, "postgres://u:s3cretpw@127.0.0.1:1/db?sslmode=disable", Options{})
	if err == nil || containsAny(err.Error(), "s3cretpw") {
		t.Errorf("unreachable server: %v", err)
	}
	if _, err := Open(context.Background(), "postgres://127.0.0.1:1/db", Options{Schema: "Bad-Schema"}); !errors.Is(err, ErrConfig) {
		t.Errorf("bad schema: err = %v, want ErrConfig", err)
	}
}

func containsAny(s string, subs ...string) bool {
	return slices.ContainsFunc(subs, func(sub string) bool { return strings.Contains(s, sub) })
}
