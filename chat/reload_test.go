package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/retrieval"
)

func TestReloaderCoalesces(t *testing.T) {
	var calls atomic.Int64
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	r := &reloader{sync: func(ctx context.Context) (retrieval.Report, error) {
		n := calls.Add(1)
		entered <- struct{}{}
		<-release
		return retrieval.Report{Articles: int(n)}, nil
	}}
	results := make(chan int, 10)
	run := func() {
		rep, err := r.Reload(context.Background())
		if err != nil {
			t.Error(err)
		}
		results <- rep.Articles
	}
	go run()
	<-entered // the first sync runs
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(run)
	}
	// Let the four join the next run before the first ends.
	for deadline := time.Now().Add(waitFor); ; time.Sleep(time.Millisecond) {
		r.mu.Lock()
		queued := r.next != nil
		r.mu.Unlock()
		if queued || time.Now().After(deadline) {
			break
		}
	}
	time.Sleep(20 * time.Millisecond)
	release <- struct{}{} // first sync ends
	<-entered             // the second starts
	release <- struct{}{}
	wg.Wait()
	got := []int{<-results, <-results, <-results, <-results, <-results}
	want := map[int]int{1: 1, 2: 4}
	count := map[int]int{}
	for _, g := range got {
		count[g]++
	}
	if fmt.Sprint(count) != fmt.Sprint(want) {
		t.Errorf("reports: got %v, want one from the first sync and four from the second", got)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("got %d syncs, want 2", n)
	}
}

func TestReportReply(t *testing.T) {
	rep := retrieval.Report{Articles: 3, Chunks: 9, Added: 2, Removed: 1, Unchanged: 6, Embedded: 2, Duration: 1500 * time.Millisecond,
		Problems: []corpus.Problem{{Path: "a.jsonl", Line: 3, Reason: "malformed JSON: <x>", Skipped: true}, {Path: "b.txt", Reason: "bad date", Skipped: false}}}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"done", nil, []string{MsgReloadDone, "۱.۵", "افزوده: ۲", "حذف‌شده: ۱", MsgReportSkipped + " (۱)", "a.jsonl:3: malformed JSON: <x>", msgReportRepaired + " (۱)"}},
		{"no articles", fmt.Errorf("load: %w", corpus.ErrNoArticles), []string{MsgReloadFailed, MsgReloadNoArticles, "a.jsonl:3"}},
		{"failed", errors.New("disk on fire"), []string{MsgReloadFailed}},
		{"interrupted", context.Canceled, []string{msgReloadInterrupted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reportReply(rep, tt.err)
			for _, want := range tt.want {
				if !strings.Contains(r.PlainText(), want) {
					t.Errorf("report lacks %q:\n%s", want, r.PlainText())
				}
			}
			if strings.Contains(r.PlainText(), "disk on fire") {
				t.Errorf("an operator error reached the admin: %s", r.PlainText())
			}
		})
	}
}

// TestReportReplySnapshotNotSaved: a reload whose snapshot was not saved
// says whether a previous one is kept, never claiming one that is not.
func TestReportReplySnapshotNotSaved(t *testing.T) {
	tests := []struct {
		name       string
		kept       bool
		want, deny string
	}{
		{"a previous snapshot", true, msgReportSnapshotKept, msgReportSnapshotNone},
		{"none", false, msgReportSnapshotNone, msgReportSnapshotKept},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := retrieval.Report{Articles: 1, Chunks: 1, SnapshotErr: errors.New("no space left on device"), SnapshotKept: tt.kept}
			r := reportReply(rep, nil)
			if !strings.Contains(r.PlainText(), tt.want) || strings.Contains(r.PlainText(), tt.deny) {
				t.Errorf("got %q, want %q and not %q", r.PlainText(), tt.want, tt.deny)
			}
		})
	}
}
