// Package retrievaltest is the contract test suite of [retrieval.Store]:
// the in-process index and every adapter to an external engine run the
// same [Run], which sees a store only through the interface.
//
// The suite is deterministic: it writes its own small Persian corpus,
// embeds with the local embedder (wrapped to count and to fail on demand)
// and stamps arrivals with its own clock, all handed to the store under
// test by [Deps].
package retrievaltest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/retrieval"
)

// Deps are what the suite gives each new store: the embedder to embed
// chunks and questions with (its identity names it), and the clock that
// stamps when an article arrives (see [retrieval.Store] Arrived).
type Deps struct {
	Embedder retrieval.Embedder
	Identity string
	Now      func() time.Time
}

// Run checks the store that newStore returns (empty, one per subtest)
// against the contract of [retrieval.Store]. Run it with -race: one
// subtest searches while syncs run.
func Run(t *testing.T, newStore func(t *testing.T, d Deps) retrieval.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, h *harness)
	}{
		{"Empty", testEmpty},
		{"Sync", testSync},
		{"Search", testSearch},
		{"SearchPeriod", testSearchPeriod},
		{"Relevance", testRelevance},
		{"Update", testUpdate},
		{"Delete", testDelete},
		{"EmbedsOnlyWhatChanged", testEmbedsOnlyWhatChanged},
		{"Documents", testDocuments},
		{"Arrived", testArrived},
		{"LatestDate", testLatestDate},
		{"HasArticles", testHasArticles},
		{"SearchDuringSync", testSearchDuringSync},
		{"FailedSyncKeepsServing", testFailedSync},
		{"CancelledSyncKeepsServing", testCancelledSync},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness()
			h.store = newStore(t, Deps{Embedder: h.embed, Identity: h.embed.Identity(), Now: h.clock.now})
			tt.run(t, h)
		})
	}
}

// harness is one subtest's store with the embedder and clock it was given.
type harness struct {
	store retrieval.Store
	embed *faultyEmbedder
	clock *clock
}

func newHarness() *harness {
	return &harness{
		embed: &faultyEmbedder{LocalEmbedder: retrieval.NewLocalEmbedder(64)},
		clock: &clock{t: time.Date(2025, 10, 11, 8, 0, 0, 0, time.UTC)},
	}
}

// clock is the suite's clock, moved by hand between syncs.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// advance moves the clock on by an hour (arrivals may be kept to the
// second) and returns the new time.
func (c *clock) advance() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Hour)
	return c.t
}

// errInjected is the embedder's failure on a poisoned text.
var errInjected = errors.New("retrievaltest: injected embedding failure")

// faultyEmbedder is the local embedder that records every text it embeds
// and fails a batch holding the poison word, when one is set.
type faultyEmbedder struct {
	*retrieval.LocalEmbedder
	mu     sync.Mutex
	poison string
	texts  []string
}

func (e *faultyEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.mu.Lock()
	poison := e.poison
	e.texts = append(e.texts, texts...)
	e.mu.Unlock()
	if poison != "" {
		for _, s := range texts {
			if strings.Contains(s, poison) {
				return nil, errInjected
			}
		}
	}
	return e.LocalEmbedder.Embed(ctx, texts)
}

func (e *faultyEmbedder) setPoison(word string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.poison = word
}

// embedded returns how many texts embedded since the last call hold word
// ("" counts them all), and forgets them.
func (e *faultyEmbedder) embedded(word string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, s := range e.texts {
		if strings.Contains(s, word) {
			n++
		}
	}
	e.texts = nil
	return n
}

func day(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }

// news is the suite's news: short Persian articles (one chunk each),
// two on one day, one undated.
func news() []corpus.Article {
	return []corpus.Article{
		{ID: "dollar", Title: "کاهش قیمت دلار", Source: "ایسنا", Date: day(10, 5), URL: "https://example.org/dollar",
			Text: "قیمت دلار در بازار آزاد تهران امروز کاهش یافت و به ۱۱۴ هزار تومان رسید. فعالان بازار ارز این کاهش را موقت می‌دانند."},
		{ID: "wheat", Title: "پایان خرید تضمینی گندم", Source: "ایرنا", Date: day(10, 5),
			Text: "خرید تضمینی گندم از کشاورزان خراسان رضوی به پایان رسید و مطالبات آنان پرداخت شد."},
		{ID: "metro", Title: "افتتاح خط ۱۰ مترو", Source: "همشهری آنلاین", Date: day(10, 1),
			Text: "فاز نخست خط ۱۰ متروی تهران با شش ایستگاه افتتاح شد. طول این خط نه کیلومتر است."},
		{ID: "flood", Title: "سیل در گیلان", Source: "تسنیم", Date: day(10, 3),
			Text: "سیل در استان گیلان به صدها خانه روستایی خسارت زد و امدادگران هلال احمر به روستاها رسیدند."},
		{ID: "football", Title: "پیروزی تیم ملی", Source: "ورزش سه", Date: day(10, 10),
			Text: "تیم ملی فوتبال ایران در بازی دوستانه تانزانیا را دو بر صفر شکست داد."},
		{ID: "iraq", Title: "وزیر دفاع عراق", Source: "تابناک", Date: day(9, 28),
			Text: "وزیر دفاع عراق گفت همکاری امنیتی بغداد با آمریکا در قالب آموزش و تجهیز ادامه دارد."},
		{ID: "festival", Title: "جشنواره فیلم کودکان", Source: "",
			Text: "جشنواره بین‌المللی فیلم کودکان و نوجوانان در اصفهان آغاز شد."},
	}
}

// edited is the corpus with the dollar article rewritten (its fall now a
// rise) and a new article on the Tehran stock exchange.
func edited() []corpus.Article {
	arts := news()
	for i := range arts {
		if arts[i].ID == "dollar" {
			arts[i].Title = "افزایش قیمت دلار"
			arts[i].Text = "قیمت دلار در بازار آزاد تهران امروز افزایش یافت و به ۱۱۸ هزار تومان رسید. صرافان از تقاضای بالا خبر دادند."
		}
	}
	return append(arts, corpus.Article{ID: "bourse", Title: "رشد شاخص بورس", Source: "اکوایران", Date: day(10, 6),
		Text: "شاخص کل بورس تهران با رشد سه درصدی به رکورد تازه‌ای رسید و ارزش معاملات دو برابر شد."})
}

func ids(arts []corpus.Article) []string {
	var out []string
	for _, a := range arts {
		out = append(out, a.ID)
	}
	return out
}

func without(arts []corpus.Article, id string) []corpus.Article {
	return slices.DeleteFunc(slices.Clone(arts), func(a corpus.Article) bool { return a.ID == id })
}

func (h *harness) sync(t *testing.T, arts []corpus.Article) retrieval.Report {
	t.Helper()
	rep, err := h.store.SyncArticles(context.Background(), arts)
	if err != nil {
		t.Fatalf("SyncArticles: %v", err)
	}
	return rep
}

func (h *harness) search(t *testing.T, q retrieval.Query) retrieval.Result {
	t.Helper()
	res, err := h.store.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%q): %v", q.Text, err)
	}
	return res
}

func (h *harness) documents(t *testing.T, from, to time.Time) []retrieval.Document {
	t.Helper()
	docs, err := h.store.Documents(context.Background(), from, to)
	if err != nil {
		t.Fatalf("Documents(%v, %v): %v", from, to, err)
	}
	return docs
}

func docIDs(docs []retrieval.Document) []string {
	out := []string{}
	for _, d := range docs {
		out = append(out, d.ID)
	}
	return out
}

func passageIDs(res retrieval.Result) []string {
	out := []string{}
	for _, p := range res.Passages {
		out = append(out, p.ArticleID)
	}
	return out
}

func testEmpty(t *testing.T, h *harness) {
	ctx := context.Background()
	res, err := h.store.Search(ctx, retrieval.Query{Text: "قیمت دلار"})
	if err != nil || len(res.Passages) != 0 {
		t.Errorf("an empty store's search: %d passages, %v; want none, no error", len(res.Passages), err)
	}
	if docs := h.documents(t, time.Time{}, time.Time{}); len(docs) != 0 {
		t.Errorf("an empty store lists %v", docIDs(docs))
	}
	if docs, err := h.store.Arrived(ctx, time.Time{}, h.clock.now().Add(time.Hour)); err != nil || len(docs) != 0 {
		t.Errorf("an empty store: arrived %v, %v", docIDs(docs), err)
	}
	if d, err := h.store.LatestDate(ctx); err != nil || !d.IsZero() {
		t.Errorf("an empty store's latest date: %v, %v; want zero", d, err)
	}
	if ok, err := h.store.HasArticles(ctx, time.Time{}, time.Time{}); err != nil || ok {
		t.Errorf("an empty store has articles: %v, %v", ok, err)
	}
	if st := h.store.Stats(); st.Articles != 0 || st.Chunks != 0 {
		t.Errorf("an empty store's stats: %+v", st)
	}
	// Emptied after holding articles: the same.
	h.sync(t, news())
	h.sync(t, nil)
	res, err = h.store.Search(ctx, retrieval.Query{Text: "قیمت دلار"})
	if err != nil || len(res.Passages) != 0 {
		t.Errorf("an emptied store's search: %v, %v", passageIDs(res), err)
	}
	if st := h.store.Stats(); st.Articles != 0 {
		t.Errorf("an emptied store's stats: %+v", st)
	}
}

func testSync(t *testing.T, h *harness) {
	rep := h.sync(t, news())
	n := len(news())
	if rep.Articles != n || rep.Chunks < n {
		t.Errorf("report: %d articles, %d chunks; want %d articles, at least as many chunks", rep.Articles, rep.Chunks, n)
	}
	if st := h.store.Stats(); st.Articles != n || st.Chunks != rep.Chunks || st.Identity != h.embed.Identity() {
		t.Errorf("stats %+v after a sync reporting %+v", st, rep)
	}
	docs := h.documents(t, time.Time{}, time.Time{})
	got, want := docIDs(docs), ids(news())
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("documents %v, want %v", got, want)
	}
	for _, d := range docs {
		var a corpus.Article
		for _, x := range news() {
			if x.ID == d.ID {
				a = x
			}
		}
		if d.Title != a.Title || d.Source != a.Source || d.URL != a.URL || !d.Date.Equal(a.Date) || d.Text != a.Text {
			t.Errorf("document %s: %q %q %q %v %q; want the article's metadata and text", d.ID, d.Title, d.Source, d.URL, d.Date, d.Text)
		}
	}
}

func testSearch(t *testing.T, h *harness) {
	h.sync(t, news())
	tests := []struct{ question, want string }{
		{"قیمت دلار در بازار تهران چقدر شد؟", "dollar"},
		{"خط ۱۰ مترو چند ایستگاه دارد؟", "metro"},
		{"سیل گیلان", "flood"},
		{"وزیر دفاع عراق درباره آمریکا چه گفت؟", "iraq"},
		{"جشنواره فیلم کودکان کجا برگزار شد؟", "festival"},
	}
	for _, tt := range tests {
		res := h.search(t, retrieval.Query{Text: tt.question})
		if len(res.Passages) == 0 || res.Passages[0].ArticleID != tt.want {
			t.Errorf("%q: found %v, want %s first", tt.question, passageIDs(res), tt.want)
			continue
		}
		p := res.Passages[0]
		if p.Title == "" || p.Text == "" || p.ID == "" {
			t.Errorf("%q: passage without its chunk: %+v", tt.question, p.Chunk)
		}
	}
	// K beyond what the store holds is clamped, not an error; PerArticle
	// caps the passages of one article.
	res := h.search(t, retrieval.Query{Text: "تهران", K: 100, PerArticle: 1})
	seen := map[string]bool{}
	for _, p := range res.Passages {
		if seen[p.ArticleID] {
			t.Errorf("two passages of %s with PerArticle 1", p.ArticleID)
		}
		seen[p.ArticleID] = true
	}
	if len(res.Passages) < 2 {
		t.Errorf("«تهران» found %v, want the articles that name it", passageIDs(res))
	}
	res = h.search(t, retrieval.Query{Text: "  ؟ "})
	if len(res.Passages) != 0 {
		t.Errorf("a question without words found %v", passageIDs(res))
	}
}

func testSearchPeriod(t *testing.T, h *harness) {
	h.sync(t, news())
	res := h.search(t, retrieval.Query{Text: "قیمت دلار و خرید گندم", From: day(10, 5), To: day(10, 5)})
	if len(res.Passages) == 0 {
		t.Fatal("nothing found on 5 October")
	}
	for _, p := range res.Passages {
		if !p.Date.Equal(day(10, 5)) {
			t.Errorf("a search limited to 5 October found %s of %v", p.ArticleID, p.Date)
		}
	}
	res = h.search(t, retrieval.Query{Text: "قیمت دلار", From: day(10, 6)})
	for _, p := range res.Passages {
		if p.ArticleID == "dollar" || p.Date.IsZero() {
			t.Errorf("a search from 6 October found %s of %v", p.ArticleID, p.Date)
		}
	}
}

func testRelevance(t *testing.T, h *harness) {
	h.sync(t, news())
	match := h.search(t, retrieval.Query{Text: "قیمت دلار در بازار آزاد تهران کاهش یافت"})
	unrelated := h.search(t, retrieval.Query{Text: "برنامه فضایی ژاپن و پرتاب ماهواره"})
	if len(match.Passages) == 0 {
		t.Fatal("the matching question found nothing")
	}
	if match.Relevance <= 0 || match.Passages[0].Relevance <= 0 {
		t.Errorf("relevance not set: result %v, best passage %v", match.Relevance, match.Passages[0].Relevance)
	}
	if match.Relevance <= unrelated.Relevance {
		t.Errorf("a matching question rates %v, an unrelated one %v", match.Relevance, unrelated.Relevance)
	}
	// Every store rates by one formula, from the statistics it reports.
	for name, res := range map[string]retrieval.Result{"matching": match, "unrelated": unrelated} {
		again := res
		again.Passages = slices.Clone(res.Passages)
		retrieval.ScoreRelevance(&again)
		if again.Relevance != res.Relevance {
			t.Errorf("%s: result relevance %v, the formula gives %v", name, res.Relevance, again.Relevance)
		}
		for i := range again.Passages {
			if again.Passages[i].Relevance != res.Passages[i].Relevance {
				t.Errorf("%s: passage %d relevance %v, the formula gives %v", name, i, res.Passages[i].Relevance, again.Passages[i].Relevance)
			}
		}
	}
	if len(match.Terms) == 0 || match.QueryWeight <= 0 {
		t.Errorf("the matching question reports no term statistics: %+v, weight %v", match.Terms, match.QueryWeight)
	}
}

// hasText reports whether any passage found for question, or any
// document, holds text.
func (h *harness) hasText(t *testing.T, question, text string) (inPassage, inDocument bool) {
	t.Helper()
	for _, p := range h.search(t, retrieval.Query{Text: question, K: 20}).Passages {
		inPassage = inPassage || strings.Contains(p.Text, text) || strings.Contains(p.Title, text)
	}
	for _, d := range h.documents(t, time.Time{}, time.Time{}) {
		inDocument = inDocument || strings.Contains(d.Text, text) || strings.Contains(d.Title, text)
	}
	return inPassage, inDocument
}

func testUpdate(t *testing.T, h *harness) {
	h.sync(t, news())
	h.sync(t, edited())
	res := h.search(t, retrieval.Query{Text: "افزایش قیمت دلار"})
	if len(res.Passages) == 0 || res.Passages[0].ArticleID != "dollar" || !strings.Contains(res.Passages[0].Text, "۱۱۸ هزار") {
		t.Errorf("the rewritten article is not found by its new text: %+v", res.Passages)
	}
	if p, d := h.hasText(t, "قیمت دلار کاهش یافت ۱۱۴ هزار", "۱۱۴ هزار"); p || d {
		t.Errorf("the old text is still served: in a passage %v, in a document %v", p, d)
	}
	if res := h.search(t, retrieval.Query{Text: "شاخص بورس تهران"}); len(res.Passages) == 0 || res.Passages[0].ArticleID != "bourse" {
		t.Errorf("the new article is not found: %v", passageIDs(res))
	}
	if st := h.store.Stats(); st.Articles != len(edited()) {
		t.Errorf("%d articles, want %d", st.Articles, len(edited()))
	}
}

func testDelete(t *testing.T, h *harness) {
	h.sync(t, news())
	h.sync(t, without(news(), "metro"))
	for _, p := range h.search(t, retrieval.Query{Text: "خط ۱۰ متروی تهران", K: 20}).Passages {
		if p.ArticleID == "metro" {
			t.Errorf("a deleted article is found: %+v", p.Chunk)
		}
	}
	if slices.Contains(docIDs(h.documents(t, time.Time{}, time.Time{})), "metro") {
		t.Error("a deleted article is listed")
	}
	if ok, err := h.store.HasArticles(context.Background(), day(10, 1), day(10, 1)); err != nil || ok {
		t.Errorf("the day of the deleted article only: has articles %v, %v", ok, err)
	}
	if st := h.store.Stats(); st.Articles != len(news())-1 {
		t.Errorf("%d articles, want %d", st.Articles, len(news())-1)
	}
}

func testEmbedsOnlyWhatChanged(t *testing.T, h *harness) {
	h.sync(t, news())
	if n := h.embed.embedded(""); n < len(news()) {
		t.Errorf("the first sync embedded %d texts for %d articles", n, len(news()))
	}
	h.sync(t, news())
	// Questions are embedded too; none is asked here.
	if n := h.embed.embedded(""); n != 0 {
		t.Errorf("a sync of the same articles embedded %d texts", n)
	}
	h.sync(t, edited())
	if n := h.embed.embedded("۱۱۸ هزار"); n == 0 {
		t.Error("the rewritten article was not embedded")
	}
	h.sync(t, edited())
	if n := h.embed.embedded(""); n != 0 {
		t.Errorf("a sync of the same articles embedded %d texts", n)
	}
	h.sync(t, without(edited(), "wheat"))
	if n := h.embed.embedded(""); n != 0 {
		t.Errorf("a sync that only removes an article embedded %d texts", n)
	}
}

func testDocuments(t *testing.T, h *harness) {
	h.sync(t, news())
	tests := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"all, newest first, then by id, the undated last", time.Time{}, time.Time{},
			[]string{"football", "dollar", "wheat", "flood", "metro", "iraq", "festival"}},
		{"bounds inclusive", day(10, 1), day(10, 5), []string{"dollar", "wheat", "flood", "metro"}},
		{"one day", day(10, 5), day(10, 5), []string{"dollar", "wheat"}},
		{"open start", time.Time{}, day(10, 1), []string{"metro", "iraq"}},
		{"open end", day(10, 5), time.Time{}, []string{"football", "dollar", "wheat"}},
		{"a day without news", day(10, 2), day(10, 2), []string{}},
		{"bounds within a day", day(10, 5).Add(15 * time.Hour), day(10, 5).Add(15 * time.Hour), []string{"dollar", "wheat"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := docIDs(h.documents(t, tt.from, tt.to)); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	docs := h.documents(t, day(10, 5), day(10, 5))
	if len(docs) > 0 && (docs[0].Source != "ایسنا" || docs[0].URL != "https://example.org/dollar" || !strings.Contains(docs[0].Text, "۱۱۴ هزار")) {
		t.Errorf("dollar: %+v", docs[0])
	}
}

func testArrived(t *testing.T, h *harness) {
	ctx := context.Background()
	first := h.clock.now()
	h.sync(t, news())
	second := h.clock.advance()
	h.sync(t, edited())
	later := h.clock.advance()
	arrived := func(after, until time.Time) []string {
		t.Helper()
		docs, err := h.store.Arrived(ctx, after, until)
		if err != nil {
			t.Fatalf("Arrived(%v, %v): %v", after, until, err)
		}
		return docIDs(docs)
	}
	tests := []struct {
		name         string
		after, until time.Time
		want         []string
	}{
		{"since the first sync: what the second changed or added", first, second, []string{"bourse", "dollar"}},
		{"up to the first sync: the unchanged", time.Time{}, first,
			[]string{"football", "wheat", "flood", "metro", "iraq", "festival"}},
		{"the start of the span is open", second, later, []string{}},
		{"all", time.Time{}, later, []string{"football", "bourse", "dollar", "wheat", "flood", "metro", "iraq", "festival"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := arrived(tt.after, tt.until); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	for _, d := range func() []retrieval.Document { docs, _ := h.store.Arrived(ctx, first, second); return docs }() {
		if !d.Arrived.Equal(second) {
			t.Errorf("%s arrived at %v, want %v", d.ID, d.Arrived, second)
		}
	}
}

func testLatestDate(t *testing.T, h *harness) {
	ctx := context.Background()
	h.sync(t, news())
	if d, err := h.store.LatestDate(ctx); err != nil || !d.Equal(day(10, 10)) {
		t.Errorf("latest date %v, %v; want 10 October", d, err)
	}
	h.sync(t, without(news(), "football"))
	if d, err := h.store.LatestDate(ctx); err != nil || !d.Equal(day(10, 5)) {
		t.Errorf("without the newest article: latest date %v, %v; want 5 October", d, err)
	}
	h.sync(t, []corpus.Article{news()[len(news())-1]}) // the undated one alone
	if d, err := h.store.LatestDate(ctx); err != nil || !d.IsZero() {
		t.Errorf("undated articles only: latest date %v, %v; want zero", d, err)
	}
}

func testHasArticles(t *testing.T, h *harness) {
	h.sync(t, news())
	tests := []struct {
		name     string
		from, to time.Time
		want     bool
	}{
		{"the day of an article", day(10, 3), day(10, 3), true},
		{"a range over one", day(10, 6), day(10, 12), true},
		{"a day between", day(10, 2), day(10, 2), false},
		{"days between", day(10, 6), day(10, 9), false},
		{"after all", day(10, 11), time.Time{}, false},
		{"before all", time.Time{}, day(9, 27), false},
		{"open", time.Time{}, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := h.store.HasArticles(context.Background(), tt.from, tt.to); err != nil || got != tt.want {
				t.Errorf("HasArticles(%v, %v) = %v, %v; want %v", tt.from, tt.to, got, err, tt.want)
			}
		})
	}
}

// versionOf tells which corpus texts come from: 1 for news() (the old
// dollar article), 2 for edited() (the new one, or the article it adds),
// 0 for a mix of both, -1 for neither.
func versionOf(texts []string) int {
	old, fresh := false, false
	for _, s := range texts {
		old = old || strings.Contains(s, "۱۱۴ هزار")
		fresh = fresh || strings.Contains(s, "۱۱۸ هزار") || strings.Contains(s, "شاخص کل بورس")
	}
	switch {
	case old && fresh:
		return 0
	case old:
		return 1
	case fresh:
		return 2
	}
	return -1
}

func testSearchDuringSync(t *testing.T, h *harness) {
	h.sync(t, news())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if i == 0 {
					docs, err := h.store.Documents(context.Background(), time.Time{}, time.Time{})
					if err != nil {
						report(fmt.Errorf("Documents during a sync: %w", err))
						return
					}
					var texts []string
					for _, d := range docs {
						texts = append(texts, d.Text)
					}
					got := docIDs(docs)
					slices.Sort(got)
					v1, v2 := ids(news()), ids(edited())
					slices.Sort(v1)
					slices.Sort(v2)
					if v := versionOf(texts); !(v == 1 && slices.Equal(got, v1) || v == 2 && slices.Equal(got, v2)) {
						report(fmt.Errorf("documents during a sync mix versions: %v", got))
						return
					}
					continue
				}
				res, err := h.store.Search(context.Background(), retrieval.Query{Text: "قیمت دلار و شاخص بورس تهران", K: 10})
				if err != nil {
					report(fmt.Errorf("Search during a sync: %w", err))
					return
				}
				var texts []string
				for _, p := range res.Passages {
					texts = append(texts, p.Text)
				}
				if v := versionOf(texts); v != 1 && v != 2 {
					report(fmt.Errorf("a search during a sync mixes versions: %v %q", passageIDs(res), texts))
					return
				}
			}
		}()
	}
	for i := range 6 {
		arts := edited()
		if i%2 == 1 {
			arts = news()
		}
		if _, err := h.store.SyncArticles(context.Background(), arts); err != nil {
			cancel()
			wg.Wait()
			t.Fatalf("sync %d: %v", i, err)
		}
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// serving checks that the store serves exactly news().
func (h *harness) serving(t *testing.T, after string) {
	t.Helper()
	got, want := docIDs(h.documents(t, time.Time{}, time.Time{})), []string{"football", "dollar", "wheat", "flood", "metro", "iraq", "festival"}
	if !slices.Equal(got, want) {
		t.Errorf("after %s: documents %v, want the old version's %v", after, got, want)
	}
	res := h.search(t, retrieval.Query{Text: "قیمت دلار"})
	if len(res.Passages) == 0 || res.Passages[0].ArticleID != "dollar" || !strings.Contains(res.Passages[0].Text, "۱۱۴ هزار") {
		t.Errorf("after %s: «قیمت دلار» found %+v, want the old dollar article", after, res.Passages)
	}
	if p, d := h.hasText(t, "شاخص بورس", "شاخص کل بورس"); p || d {
		t.Errorf("after %s: the failed sync's new article is served (passage %v, document %v)", after, p, d)
	}
	if st := h.store.Stats(); st.Articles != len(news()) {
		t.Errorf("after %s: %d articles, want %d", after, st.Articles, len(news()))
	}
}

func testFailedSync(t *testing.T, h *harness) {
	h.sync(t, news())
	// The second version changes one article, adds one, removes one and
	// adds a last one the embedder fails on: the sync fails halfway.
	arts := without(edited(), "wheat")
	arts = append(arts, corpus.Article{ID: "poison", Title: "خبر ناتمام", Date: day(10, 7),
		Text: "این خبر واژه زهرآگین را دارد و جاسازی آن شکست می‌خورد."})
	h.embed.setPoison("زهرآگین")
	if _, err := h.store.SyncArticles(context.Background(), arts); !errors.Is(err, errInjected) {
		t.Fatalf("a sync whose embedder fails: got %v, want the embedder's error", err)
	}
	h.serving(t, "a failed sync")
	// Once the embedder works again, the same sync succeeds.
	h.embed.setPoison("")
	h.sync(t, arts)
	if got := docIDs(h.documents(t, day(10, 7), day(10, 7))); !slices.Equal(got, []string{"poison"}) {
		t.Errorf("after the retry: documents of 7 October %v", got)
	}
}

func testCancelledSync(t *testing.T, h *harness) {
	h.sync(t, news())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.store.SyncArticles(ctx, edited()); err == nil {
		t.Fatal("a sync with a cancelled context succeeded")
	}
	h.serving(t, "a cancelled sync")
}
