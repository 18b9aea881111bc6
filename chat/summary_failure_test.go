package chat

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/retrieval"
)

// unlistableIndex is an index that searches but cannot list its
// articles, like an external engine that is down for scans.
type unlistableIndex struct{ *retrieval.Index }

var errUnlistable = errors.New("engine unavailable")

func (unlistableIndex) Documents(context.Context, time.Time, time.Time) ([]retrieval.Document, error) {
	return nil, errUnlistable
}

// TestSummaryIndexFailure: an index that cannot list its articles gives
// /summary the polite failure reply, counted as an error, not an empty
// summary.
func TestSummaryIndexFailure(t *testing.T) {
	emb := retrieval.NewLocalEmbedder(256)
	ix := retrieval.New(emb, emb.Identity(), retrieval.Options{})
	if _, err := ix.Sync(context.Background(), os.DirFS(filepath.Join("..", "seeds"))); err != nil {
		t.Fatal(err)
	}
	composer := answer.New(unlistableIndex{ix}, answer.Options{})
	c := New(composer, discard(), Options{Summarizer: composer})
	if got := c.Handle(context.Background(), Message{ChatID: 5, Text: "/summary"}).PlainText(); got != msgSummaryFailed {
		t.Errorf("got %q, want %q", got, msgSummaryFailed)
	}
	if got := c.failed.Load(); got != 1 {
		t.Errorf("%d failures counted, want 1", got)
	}
}
