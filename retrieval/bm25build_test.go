package retrieval

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/persian"
)

// buildBM25Serial is the BM25 index as it was built before buildBM25Par:
// one goroutine reading the texts in order, a map of frequencies per
// text. The parallel build must give exactly this.
func buildBM25Serial(texts []string, params BM25Params, signature int) *bm25 {
	ix := &bm25{
		params: params.withDefaults(),
		ids:    make(map[string]int32),
		docLen: make([]float32, len(texts)),
	}
	var forward [][]posting
	if signature > 0 {
		forward = make([][]posting, len(texts))
	}
	var total float64
	for i, text := range texts {
		order, tf, n := termsOf(text)
		ix.docLen[i] = float32(n)
		total += float64(n)
		for _, t := range order {
			f := tf[t]
			id, ok := ix.ids[t]
			if !ok {
				id = int32(len(ix.postings))
				ix.ids[t] = id
				ix.postings = append(ix.postings, nil)
			}
			ix.postings[id] = append(ix.postings[id], posting{doc: int32(i), tf: f})
			if forward != nil {
				forward[i] = append(forward[i], posting{doc: id, tf: f})
			}
		}
	}
	if len(texts) > 0 {
		ix.avgLen = total / float64(len(texts))
	}
	if ix.avgLen == 0 {
		ix.avgLen = 1
	}
	if forward != nil {
		ix.signature = make([][]weighted, len(texts))
		for i, terms := range forward {
			ix.signature[i] = characteristicSorted(ix, terms, ix.docLen[i], signature)
		}
	}
	return ix
}

// characteristicSorted is bm25.characteristic as it was first written,
// with sort.Slice.
func characteristicSorted(ix *bm25, terms []posting, length float32, n int) []weighted {
	if length == 0 {
		return nil
	}
	ws := make([]weighted, len(terms))
	for i, t := range terms {
		ws[i] = weighted{term: t.doc, w: t.tf / length * float32(ix.idfOf(t.doc))}
	}
	sort.Slice(ws, func(i, j int) bool {
		if ws[i].w != ws[j].w {
			return ws[i].w > ws[j].w
		}
		return ws[i].term < ws[j].term
	})
	return append([]weighted(nil), ws[:min(n, len(ws))]...)
}

// sameBM25 fails t unless a and b are the same index: term ids, postings
// (order and frequencies), lengths and signatures.
func sameBM25(t *testing.T, what string, got, want *bm25) {
	t.Helper()
	if got.params != want.params || got.avgLen != want.avgLen {
		t.Fatalf("%s: params %+v avgLen %v, want %+v %v", what, got.params, got.avgLen, want.params, want.avgLen)
	}
	if len(got.ids) != len(want.ids) {
		t.Fatalf("%s: %d terms, want %d", what, len(got.ids), len(want.ids))
	}
	for term, id := range want.ids {
		if gid, ok := got.ids[term]; !ok || gid != id {
			t.Fatalf("%s: term %q has id %d (%v), want %d", what, term, gid, ok, id)
		}
	}
	if len(got.postings) != len(want.postings) {
		t.Fatalf("%s: %d posting lists, want %d", what, len(got.postings), len(want.postings))
	}
	for id := range want.postings {
		g, w := got.postings[id], want.postings[id]
		if !slices.Equal(g, w) {
			at := 0
			for at < min(len(g), len(w)) && g[at] == w[at] {
				at++
			}
			t.Fatalf("%s: postings of term %d differ at %d of %d (want %d)", what, id, at, len(g), len(w))
		}
	}
	if !slices.Equal(got.docLen, want.docLen) {
		t.Fatalf("%s: text lengths differ", what)
	}
	if len(got.signature) != len(want.signature) {
		t.Fatalf("%s: %d signatures, want %d", what, len(got.signature), len(want.signature))
	}
	for i := range want.signature {
		if !slices.Equal(got.signature[i], want.signature[i]) {
			t.Fatalf("%s: signature %d: %v, want %v", what, i, got.signature[i], want.signature[i])
		}
	}
}

// lexWords are the words synthetic texts are made of: common and rare,
// ZWNJ compounds, stopwords, stems with suffixes, digits, Latin, harakat,
// and a few runes (maddah, a presentation form, an accent) that send the
// text down fold's general path.
var lexWords = strings.Fields(`وزیر دفاع عراق روابط بغداد واشنگتن مرحله‌ای تازه همکاری امنیتی آمریکا
داعش بیابان‌ها قیمت دلار بازار تهران کاهش سکه ارزان متروی ایستگاه افتتاح کیلومتر هشدار سیل استان‌های
گیلان مازندران بارش باران تیم ملی فوتبال ایران تانزانیا کتاب‌های نمایشگاه بین‌المللی می‌شود است و از به
در با که این آن ۱۴۰۴ ١٤٠٤ 2025 Khabar IRNA حتماً مُحَمَّد كتاب علي مدرسة خانۀ قطب‌نما صلاح‌الدین
بزرگ‌ترین بهتر کشاورزان درختان اطلاعات نرخ تورم بانک مرکزی مجلس دولت رئیس‌جمهور سفر نیویورک یونیسف
آ` + "\u0653" + ` لا` + "\uFEFB" + ` café e` + "\u0301" + ` …`)

// lexTexts returns n synthetic texts of varied lengths, the same for a seed.
func lexTexts(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 7))
	texts := make([]string, n)
	for i := range texts {
		var b strings.Builder
		words := rng.IntN(150)
		if rng.IntN(20) == 0 {
			words = rng.IntN(1500) // a long article now and then
		}
		for w := range words {
			if w > 0 {
				b.WriteString([]string{" ", " ", " ", "، ", ". ", "\n", "\u200c"}[rng.IntN(7)])
			}
			if rng.IntN(20) == 0 {
				fmt.Fprintf(&b, "واژه%d", rng.IntN(5000)) // rare words, new ids late
				continue
			}
			b.WriteString(lexWords[rng.IntN(len(lexWords))])
		}
		texts[i] = b.String()
	}
	return texts
}

func textAnalyzer(texts []string) func() analyzer {
	return func() analyzer {
		return func(i int, dst []string) ([]string, error) { return persian.AppendTerms(dst, texts[i]), nil }
	}
}

// TestBuildBM25ParMatchesSerial: on any number of workers, with and
// without signatures, over texts spanning many blocks, the parallel build
// is the serial one: same term ids, postings in text order, lengths and
// signatures.
func TestBuildBM25ParMatchesSerial(t *testing.T) {
	texts := lexTexts(8*lexBlock+17, 1)
	for _, signature := range []int{0, signatureTerms} {
		want := buildBM25Serial(texts, BM25Params{}, signature)
		for _, workers := range []int{1, 2, 3, 8} {
			got, err := buildBM25Par(len(texts), workers, textAnalyzer(texts), BM25Params{}, signature)
			if err != nil {
				t.Fatal(err)
			}
			sameBM25(t, fmt.Sprintf("%d workers, signature %d", workers, signature), got, want)
		}
	}
	for _, n := range []int{0, 1, lexBlock - 1, lexBlock, lexBlock + 1} {
		texts := lexTexts(n, 2)
		got, err := buildBM25Par(n, 2, textAnalyzer(texts), BM25Params{K1: 1.5, B: 0.5}, signatureTerms)
		if err != nil {
			t.Fatal(err)
		}
		sameBM25(t, fmt.Sprintf("%d texts", n), got, buildBM25Serial(texts, BM25Params{K1: 1.5, B: 0.5}, signatureTerms))
	}
}

// TestBuildBM25ParMergesInOrder holds the first block back until later
// blocks are analysed, so that blocks finish out of order: the merge must
// still number terms and list postings in text order, losing none.
func TestBuildBM25ParMergesInOrder(t *testing.T) {
	texts := lexTexts(12*lexBlock, 3)
	// Block 0 waits for block 6 to be analysed (or gives up: then the
	// test proves less, and says so).
	later := make(chan struct{})
	var once sync.Once
	waited := true
	newAnalyzer := func() analyzer {
		an := textAnalyzer(texts)()
		return func(i int, dst []string) ([]string, error) {
			switch i {
			case 0:
				select {
				case <-later:
				case <-time.After(10 * time.Second):
					waited = false
				}
			case 6 * lexBlock:
				once.Do(func() { close(later) })
			}
			return an(i, dst)
		}
	}
	got, err := buildBM25Par(len(texts), 4, newAnalyzer, BM25Params{}, signatureTerms)
	if err != nil {
		t.Fatal(err)
	}
	if !waited {
		t.Fatal("block 6 was never analysed before block 0 finished")
	}
	sameBM25(t, "blocks out of order", got, buildBM25Serial(texts, BM25Params{}, signatureTerms))
}

// TestBuildBM25ParFails: an analyzer's error is returned, whichever block
// fails, and the build stops rather than hangs.
func TestBuildBM25ParFails(t *testing.T) {
	texts := lexTexts(10*lexBlock, 4)
	errBad := errors.New("bad text")
	for _, bad := range []int{0, 5*lexBlock + 3, len(texts) - 1} {
		newAnalyzer := func() analyzer {
			an := textAnalyzer(texts)()
			return func(i int, dst []string) ([]string, error) {
				if i == bad {
					return nil, errBad
				}
				return an(i, dst)
			}
		}
		ix, err := buildBM25Par(len(texts), 3, newAnalyzer, BM25Params{}, 0)
		if !errors.Is(err, errBad) || ix != nil {
			t.Errorf("text %d failing: got %v, %v; want the analyzer's error", bad, ix != nil, err)
		}
	}
}

// lexArticles are n articles of lexTexts, a few of them sharing a
// text (equal chunks share a vector).
func lexArticles(n int) []corpus.Article {
	texts := lexTexts(n, 5)
	titles := lexTexts(n, 6)
	arts := make([]corpus.Article, n)
	for i := range arts {
		title := titles[i]
		if len(title) > 200 {
			title = title[:strings.LastIndex(title[:200], " ")+1]
		}
		text := texts[i]
		if i%17 == 3 {
			text = texts[i-1]
		}
		arts[i] = corpus.Article{
			ID:    fmt.Sprintf("a%03d", i),
			Title: title,
			Text:  text,
			Date:  time.Date(2025, 10, 1+i%28, 0, 0, 0, 0, time.UTC),
		}
	}
	return arts
}

// wrappedLocal is the local embedder behind a type of its own, which the
// index embeds with through Embed (embedChunks), not embedLocal.
type wrappedLocal struct{ *LocalEmbedder }

// TestLocalSyncMatchesEmbedPath: the local embedder's one pass over the
// chunks (embedLocal: vectors and passage BM25 from one fold per chunk,
// on parallel workers) builds exactly the index the general path builds
// (Embed in batches, then each BM25 index), on a full and an incremental
// sync: the same vectors bit for bit, the same lexical indexes (as the
// serial build has them) and the same search results.
func TestLocalSyncMatchesEmbedPath(t *testing.T) {
	arts := lexArticles(300)
	clock := func() time.Time { return time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC) }
	opts := Options{Chunk: ChunkOptions{TargetWords: 40, Overlap: 1}, Now: clock}
	local := New(NewLocalEmbedder(64), "test/v1", opts)
	general := New(wrappedLocal{NewLocalEmbedder(64)}, "test/v1", opts)
	questions := []string{"وزیر دفاع عراق درباره داعش چه گفت؟", "قیمت دلار در بازار تهران", "کتاب‌های نمایشگاه بین‌المللی", "واژه123", "تیم ملی فوتبال"}
	for round, batch := range [][]corpus.Article{arts, append(slices.Clone(arts[:250]), lexArticles(320)[290:]...)} {
		repL, err := local.SyncArticles(t.Context(), batch)
		if err != nil {
			t.Fatal(err)
		}
		repG, err := general.SyncArticles(t.Context(), batch)
		if err != nil {
			t.Fatal(err)
		}
		if repL.Embedded != repG.Embedded || repL.Chunks != repG.Chunks {
			t.Fatalf("round %d: local embedded %d of %d chunks, general %d of %d", round, repL.Embedded, repL.Chunks, repG.Embedded, repG.Chunks)
		}
		if round == 0 && repL.Chunks < 4*lexBlock {
			t.Fatalf("only %d chunks: the test spans too few blocks", repL.Chunks)
		}
		if round == 1 && (repL.Embedded == 0 || repL.Embedded == repL.Chunks) {
			t.Fatalf("round 1 embedded %d of %d chunks: not an incremental sync", repL.Embedded, repL.Chunks)
		}
		sl, sg := local.cur.Load(), general.cur.Load()
		if len(sl.vecs.data) != len(sg.vecs.data) || sl.vecs.dim != sg.vecs.dim {
			t.Fatalf("round %d: vectors %d×%d, want %d×%d", round, len(sl.vecs.data), sl.vecs.dim, len(sg.vecs.data), sg.vecs.dim)
		}
		for i, x := range sg.vecs.data {
			if math.Float32bits(sl.vecs.data[i]) != math.Float32bits(x) {
				t.Fatalf("round %d: vector value %d is %v, want %v", round, i, sl.vecs.data[i], x)
			}
		}
		texts := make([]string, len(sg.chunks))
		for i, c := range sg.chunks {
			texts[i] = c.EmbedText()
		}
		var docs, titles []string
		for a := range sg.articles {
			cs := sg.chunks[sg.artStart[a]:sg.artStart[a+1]]
			docs = append(docs, articleText(cs))
			titles = append(titles, cs[0].Title)
		}
		rk := Ranking{}.withDefaults()
		sameBM25(t, "passages (local)", sl.lex, buildBM25Serial(texts, rk.Passage, 0))
		sameBM25(t, "passages (general)", sg.lex, buildBM25Serial(texts, rk.Passage, 0))
		sameBM25(t, "articles", sl.docLex, buildBM25Serial(docs, rk.Article, signatureTerms))
		sameBM25(t, "articles (general)", sg.docLex, sl.docLex)
		sameBM25(t, "titles", sl.titleLex, buildBM25Serial(titles, rk.Title, 0))
		for _, q := range questions {
			rl, err := local.Search(t.Context(), Query{Text: q, K: 10})
			if err != nil {
				t.Fatal(err)
			}
			rg, err := general.Search(t.Context(), Query{Text: q, K: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(rl.Passages) == 0 || len(rl.Passages) != len(rg.Passages) {
				t.Fatalf("round %d, %q: %d passages, general %d", round, q, len(rl.Passages), len(rg.Passages))
			}
			for i := range rg.Passages {
				pl, pg := rl.Passages[i], rg.Passages[i]
				if pl.ID != pg.ID || pl.Score != pg.Score || pl.Dense != pg.Dense || pl.Lexical != pg.Lexical {
					t.Fatalf("round %d, %q, passage %d: %s %v/%v/%v, general %s %v/%v/%v", round, q, i,
						pl.ID, pl.Score, pl.Dense, pl.Lexical, pg.ID, pg.Score, pg.Dense, pg.Lexical)
				}
			}
		}
	}
}
