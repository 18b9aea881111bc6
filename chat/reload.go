package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// reloader coalesces index syncs: at most one runs at a time, and every
// request that arrives while one runs shares the single run that follows
// it. A request is therefore answered by a sync that started after it was
// made, so a file saved before the request is always seen, and a burst of
// requests costs at most two syncs. Questions are not blocked: the index
// swaps its state in atomically when a sync ends.
type reloader struct {
	sync    func(ctx context.Context) (retrieval.Report, error)
	observe func(error) // set before use, or nil
	runs    atomic.Int64

	mu      sync.Mutex
	current *reloadRun // the running sync, nil when idle
	next    *reloadRun // the sync that starts when current ends
}

type reloadRun struct {
	done chan struct{}
	rep  retrieval.Report
	err  error
}

// Reload runs a sync, or waits for the one that follows the running sync,
// and returns its report. A caller whose ctx ends while waiting gets
// ctx.Err(); the sync it asked for still runs if another caller waits.
func (r *reloader) Reload(ctx context.Context) (retrieval.Report, error) {
	r.mu.Lock()
	if r.current == nil {
		run := r.next
		if run == nil {
			run = &reloadRun{done: make(chan struct{})}
		}
		r.next = nil
		return r.run(ctx, run)
	}
	if r.next == nil {
		r.next = &reloadRun{done: make(chan struct{})}
	}
	mine := r.next
	for {
		cur := r.current
		r.mu.Unlock()
		select {
		case <-cur.done:
		case <-ctx.Done():
			return retrieval.Report{}, ctx.Err()
		}
		r.mu.Lock()
		select {
		case <-mine.done:
			r.mu.Unlock()
			return mine.rep, mine.err
		default:
		}
		if r.current == nil {
			// Nobody has started mine: it is still r.next.
			r.next = nil
			return r.run(ctx, mine)
		}
		// Another waiter runs mine, or a newer request ran first: wait on.
	}
}

// run performs the sync of run; it is called with r.mu held and unlocks it.
func (r *reloader) run(ctx context.Context, run *reloadRun) (retrieval.Report, error) {
	r.current = run
	r.mu.Unlock()
	r.runs.Add(1)
	rep, err := r.sync(ctx)
	if r.observe != nil {
		r.observe(err)
	}
	r.mu.Lock()
	run.rep, run.err = rep, err
	r.current = nil
	close(run.done)
	r.mu.Unlock()
	return rep, err
}

// maxReportProblems caps the problems listed in a report.
const maxReportProblems = 8

// reportReply renders a sync report for an admin: what changed, what was
// skipped and why, and how long it took.
func reportReply(rep retrieval.Report, err error) Reply {
	var b strings.Builder
	switch {
	case errors.Is(err, context.Canceled):
		return textReply(msgReloadInterrupted)
	case errors.Is(err, corpus.ErrNoArticles):
		b.WriteString(MsgReloadFailed + "\n" + MsgReloadNoArticles)
	case err != nil:
		b.WriteString(MsgReloadFailed)
	default:
		fmt.Fprintf(&b, "%s (%s %s)\n", MsgReloadDone, seconds(rep.Duration), MsgSeconds)
		fmt.Fprintf(&b, "%s: %s، %s: %s\n", msgReportArticles, persian.Itoa(rep.Articles), msgReportChunks, persian.Itoa(rep.Chunks))
		fmt.Fprintf(&b, "%s: %s، %s: %s، %s: %s، %s: %s، %s: %s",
			MsgReportAdded, persian.Itoa(rep.Added), msgReportUpdated, persian.Itoa(rep.Updated),
			msgReportRemoved, persian.Itoa(rep.Removed), msgReportUnchanged, persian.Itoa(rep.Unchanged),
			msgReportEmbedded, persian.Itoa(rep.Embedded))
		if rep.SnapshotErr != nil {
			if rep.SnapshotKept {
				b.WriteString("\n" + msgReportSnapshotKept)
			} else {
				b.WriteString("\n" + msgReportSnapshotNone)
			}
		}
	}
	writeProblems(&b, rep.Problems)
	return textReply(b.String())
}

// writeProblems lists skipped and repaired files, at most
// maxReportProblems of them.
func writeProblems(b *strings.Builder, problems []corpus.Problem) {
	var skipped, repaired []corpus.Problem
	for _, p := range problems {
		if p.Skipped {
			skipped = append(skipped, p)
		} else {
			repaired = append(repaired, p)
		}
	}
	left := maxReportProblems
	for _, group := range []struct {
		title string
		list  []corpus.Problem
	}{{MsgReportSkipped, skipped}, {msgReportRepaired, repaired}} {
		if len(group.list) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n%s (%s):", group.title, persian.Itoa(len(group.list)))
		for i, p := range group.list {
			if left == 0 {
				b.WriteString("\n• " + fmt.Sprintf(msgReportMore, persian.Itoa(len(group.list)-i)))
				break
			}
			left--
			b.WriteString("\n• " + truncateRunes(p.String(), 160))
		}
	}
}

// truncateRunes shortens s to at most n runes, adding "…".
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// seconds renders d in seconds with one decimal, in Persian digits.
func seconds(d time.Duration) string {
	return persian.Digits(fmt.Sprintf("%.1f", d.Seconds()))
}
