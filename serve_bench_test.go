package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/internal/telegramtest"
)

// BenchmarkServeReadyWarm measures how long `khabar serve` takes, with a
// valid snapshot and the corpus unchanged, from its start until the bot
// polls Telegram (an in-process fake): a warm start of the serving
// process, which issue 14 wants as fast as a warm `khabar ask`. The corpus
// is the folder KHABAR_BENCH_SEEDS (e.g. copies of hamshahri-ir's and
// farsnews-corpus's corpus.jsonl); without it the benchmark is skipped.
// Peak memory is measured on the binary with /usr/bin/time (docs/retrieval.md).
//
//	KHABAR_BENCH_SEEDS=$SEEDS go test -run XXX -bench ServeReadyWarm -benchtime 5x .
func BenchmarkServeReadyWarm(b *testing.B) {
	seeds := os.Getenv("KHABAR_BENCH_SEEDS")
	if seeds == "" {
		b.Skip("KHABAR_BENCH_SEEDS is not set: no corpus to serve")
	}
	fake := telegramtest.New(b, telegramtest.Options{})
	env := filepath.Join(b.TempDir(), "none.env")
	if err := os.WriteFile(env, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	vars := map[string]string{
		"DATA_DIR": b.TempDir(), "ENV_FILE": env, "LOG_LEVEL": "warn", "SEEDS_DIR": seeds,
		"TELEGRAM_BOT_TOKEN": fake.Token(), "TELEGRAM_API_ENDPOINT": fake.APIEndpoint(),
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"index"}, mapenv(vars), strings.NewReader(""), &out, &errOut); err != nil {
		b.Fatalf("index: %v\n%s", err, errOut.String())
	}
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			done <- run(ctx, []string{"serve"}, mapenv(vars), strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		}()
		wctx, wcancel := context.WithTimeout(ctx, 5*time.Minute)
		err := fake.WaitPolling(wctx)
		ready := time.Since(start)
		wcancel()
		cancel()
		if serr := <-done; err != nil || serr != nil {
			b.Fatalf("serve: %v, %v", err, serr)
		}
		total += ready
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s-to-polling")
}
