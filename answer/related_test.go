package answer

import (
	"context"
	"strings"
	"testing"

	"github.com/khabar/khabar/retrieval"
)

// TestSeedsNotFoundListsRelatedHeadlines: a near miss («خط ۱۱» when line
// 10 opened) says it found no answer and lists the headlines of the
// articles on the topic under a Persian label, citing nothing: no [n]
// marker, no sources; a question far from every article lists none.
func TestSeedsNotFoundListsRelatedHeadlines(t *testing.T) {
	c := New(seedIndex(t), Options{})
	a := ask(t, c, "", "خط ۱۱ مترو تهران کی افتتاح می‌شود؟")
	if !a.NotFound() {
		t.Fatalf("want not found, got:\n%s", a)
	}
	if len(a.Related) == 0 || len(a.Related) > maxRelated {
		t.Fatalf("want 1–%d related headlines, got %d:\n%s", maxRelated, len(a.Related), a)
	}
	text := a.String()
	if len(a.Sources) != 0 || markerPattern.MatchString(text) {
		t.Errorf("a not-found reply cites something:\n%s", text)
	}
	if !strings.Contains(text, MsgRelatedHeading) || !strings.Contains(text, RelatedBullet+"همشهری آنلاین — ۹ مهر ۱۴۰۴ — «فاز نخست خط ۱۰ مترو") {
		t.Errorf("the headlines are not listed under their label:\n%s", text)
	}
	seen := map[string]bool{}
	for _, p := range a.Related {
		if seen[p.ArticleID] {
			t.Errorf("article %s listed twice", p.ArticleID)
		}
		seen[p.ArticleID] = true
	}
	last := a.Blocks()[len(a.Blocks())-1]
	if last.Kind != BlockRelated || len(last.Sources) != len(a.Related) {
		t.Errorf("the last block is %v with %d lines, want the related headlines", last.Kind, len(last.Sources))
	}

	far := ask(t, c, "", "قیمت بلیت هواپیما به توکیو چند است؟")
	if !far.NotFound() || len(far.Related) != 0 || strings.Contains(far.String(), MsgRelatedHeading) {
		t.Errorf("a far miss lists headlines:\n%s", far)
	}
	answered := ask(t, c, "", "خط ۱۰ مترو تهران کی افتتاح شد؟")
	if answered.NotFound() || len(answered.Related) != 0 {
		t.Errorf("an answer lists related headlines:\n%s", answered)
	}
}

// markerSearcher returns one passage on the question whose title carries
// a citation-like marker.
// markerSearcher finds one passage whose title carries markers; its other
// methods are an empty index's.
type markerSearcher struct{ *retrieval.Index }

func (markerSearcher) Search(_ context.Context, q retrieval.Query) (retrieval.Result, error) {
	p := retrieval.Passage{Chunk: retrieval.Chunk{ArticleID: "a", Title: "خط [1] ده [۲]", Text: "خط ده مترو در مهر افتتاح شد.", Source: "ایسنا"}, Score: 1, Lexical: 0.2, Dense: 1}
	res := retrieval.Result{Question: q.Text, Passages: []retrieval.Passage{p}, Terms: []retrieval.Term{{Text: "خط", IDF: 1, DF: 1}, {Text: "یازده", IDF: 1, DF: 1}}}
	retrieval.ScoreRelevance(&res)
	return res, nil
}

// TestRelatedTitlesCiteNothing: a related headline's title that carries
// [1] or [۲] is shown without them, so that the reply still cites nothing.
func TestRelatedTitlesCiteNothing(t *testing.T) {
	emb := retrieval.NewLocalEmbedder(64)
	c := New(markerSearcher{retrieval.New(emb, emb.Identity(), retrieval.Options{})}, Options{Floor: Floor{Threshold: 1.3}})
	a, err := c.Answer(context.Background(), Request{Question: "خط یازده"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.NotFound() || len(a.Related) != 1 {
		t.Fatalf("want not found with one related headline, got %d:\n%s", len(a.Related), a)
	}
	if s := a.String(); markerPattern.MatchString(s) || !strings.Contains(s, "«خط ده»") {
		t.Errorf("the title's markers are shown:\n%s", s)
	}
}
