package answer

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// seedsOverlap is seeds/ chunked as the bot chunks it by default
// (CHUNK_OVERLAP=1): a chunk opens with the last sentence of the one
// before.
var seedsOverlap = sync.OnceValues(func() (*retrieval.Index, error) {
	emb := retrieval.NewLocalEmbedder(256)
	ix := retrieval.New(emb, emb.Identity(), retrieval.Options{Chunk: retrieval.ChunkOptions{Overlap: 1}})
	_, err := ix.Sync(context.Background(), os.DirFS("../seeds"))
	return ix, err
})

// TestSeedsOverlapAnswers asks seeds/ chunked with overlap, at the reader
// set's clock (20 Mehr 1404): «او افزود …» opening a chunk is quoted with
// the sentence before the chunk («رئیس فدراسیون … گفت»), and the sentence
// giving a number in the unit asked («هر چند دقیقه») answers first.
func TestSeedsOverlapAnswers(t *testing.T) {
	ix, err := seedsOverlap()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 10, 12, 12, 0, 0, 0, persian.Tehran())
	c := New(ix, Options{Now: func() time.Time { return now }})
	for _, tt := range []struct{ question, want string }{
		{"امروز رئیس فدراسیون کشتی درباره ورود تماشاگران به سالن چی گفت؟", "ورود تماشاگران به سالن رایگان است"},
		{"قطارای خط ۱۰ هر چند دقیقه یه بار میان؟", "۱۲ دقیقه"},
	} {
		a, err := c.Answer(context.Background(), Request{Question: tt.question})
		if err != nil {
			t.Fatal(err)
		}
		if a.NotFound() || !strings.Contains(persian.Canonical(a.Text), persian.Canonical(tt.want)) {
			t.Errorf("%s: want an answer with %q:\n%s", tt.question, tt.want, a.String())
		}
	}
}

// TestSeedsSentenceRepeatedByAnotherPassage: «به گفته این مقام، صادرات
// ایران به ترکمنستان …» opens a passage after «او افزود …», whose speaker
// is in the article's other passage, where «او افزود …» is repeated: the
// chain is followed there and the figure is quoted with its speaker.
func TestSeedsSentenceRepeatedByAnotherPassage(t *testing.T) {
	ix, err := seedsOverlap()
	if err != nil {
		t.Fatal(err)
	}
	c := New(ix, Options{Now: func() time.Time { return mehr1404 }})
	a, err := c.Answer(context.Background(), Request{Question: "صادرات ایران به ترکمنستان و به عراق چقدر بوده است؟"})
	if err != nil {
		t.Fatal(err)
	}
	text := persian.Canonical(a.Text)
	for _, want := range []string{"۷۸۰ میلیون دلار", "۵ میلیارد و ۱۰۰ میلیون دلار", "معاون وزیر صنعت"} {
		if a.NotFound() || !strings.Contains(text, persian.Canonical(want)) {
			t.Errorf("no %q:\n%s", want, a.String())
		}
	}
}
