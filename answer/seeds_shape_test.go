package answer

import (
	"context"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// seedIndex is the seeds/ folder of the repository, indexed once (see
// seeds in seeds_test.go): the tests below ask it what a reader asks and
// check the real answers.
func seedIndex(t *testing.T) *retrieval.Index {
	t.Helper()
	ix, err := seeds()
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func searchQuery(q string) retrieval.Query { return retrieval.Query{Text: q, K: 5} }

// ask answers q over seeds/ as a reader would, in conversation conv.
func ask(t *testing.T, c *Composer, conv, q string) Answer {
	t.Helper()
	a, err := c.Answer(context.Background(), Request{Question: q, Conversation: conv})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestSeedsIraqLeadFirst: the article's lead answers «what did he say about
// relations with America» and comes first, not a sentence opening with
// «این برنامه …» whose antecedent is missing.
func TestSeedsIraqLeadFirst(t *testing.T) {
	c := New(seedIndex(t), Options{})
	a := ask(t, c, "", "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟")
	if !strings.Contains(firstLine(a.Text), "روابط دفاعی میان عراق و ایالات متحده بازتابی از پیشرفت کلی این روابط است.") {
		t.Errorf("the lead is not the first line:\n%s", a)
	}
	if len(a.Sources) == 0 || a.Sources[0].ArticleID != "000_ce323faa9758fc94.txt" {
		t.Errorf("not answered from the user's article: %+v", a.Sources)
	}
	checkNoOrphans(t, a)
}

// checkNoOrphans fails when a line opens with a pronoun or demonstrative
// and the line before it is not the sentence before it in the article.
func checkNoOrphans(t *testing.T, a Answer) {
	t.Helper()
	lines := strings.Split(a.Text, "\n")
	for i, l := range lines {
		words := persian.Tokens(l)
		if len(words) == 0 || !anaphors[words[0]] {
			continue
		}
		if i == 0 {
			t.Errorf("the answer opens with %q, whose antecedent is missing:\n%s", words[0], a.Text)
			continue
		}
		// The line before must come from the same passage, earlier.
		prev := stripLine(lines[i-1])
		found := false
		for _, p := range a.Passages {
			if j, k := strings.Index(p.Text, prev), strings.Index(p.Text, stripLine(l)); j >= 0 && k > j {
				found = true
			}
		}
		if !found && !strings.Contains(canonicalText(a), persian.Canonical(prev)) {
			t.Errorf("line %d opens with %q after a line that is not its antecedent:\n%s", i+1, words[0], a.Text)
		}
	}
}

func canonicalText(a Answer) string {
	var b strings.Builder
	for _, p := range a.Passages {
		b.WriteString(persian.Canonical(p.Text))
	}
	return b.String()
}

// stripLine removes a line's citation markers.
func stripLine(l string) string {
	s, _ := stripMarkers(l)
	return s
}

// TestSeedsAbbasiOnTraining: «العباسی درباره آموزش نظامی چه گفت؟» is
// answered from the user's article with its military-training sentence.
func TestSeedsAbbasiOnTraining(t *testing.T) {
	c := New(seedIndex(t), Options{})
	a := ask(t, c, "", "العباسی درباره آموزش نظامی چه گفت؟")
	if a.NotFound() || a.Sources[0].ArticleID != "000_ce323faa9758fc94.txt" {
		t.Fatalf("not answered from the user's article:\n%s", a)
	}
	if !strings.Contains(a.Text, "آموزش نظامی") {
		t.Errorf("no sentence about military training:\n%s", a)
	}
	checkNoOrphans(t, a)
}

// TestSeedsSpoken: questions in spoken Persian find the written article.
func TestSeedsSpoken(t *testing.T) {
	c := New(seedIndex(t), Options{})
	for _, tt := range []struct{ q, want string }{
		{"خط ده مترو کِی راه افتاد؟", "۹ مهر ۱۴۰۴"},
		{"تو سیل مازندران کسی مُرد؟", "هیچ گزارشی از تلفات جانی"},
		{"دولت گندم رو کیلویی چند از کشاورزا می‌خره؟", "۲۰ هزار تومان"},
	} {
		a := ask(t, c, "", tt.q)
		if a.NotFound() || !strings.Contains(a.Text, tt.want) {
			t.Errorf("%s: want %q in the answer, got:\n%s", tt.q, tt.want, a)
		}
		checkNoOrphans(t, a)
	}
}

// TestSeedsAnswerShape: the answering sentence first, two or three
// sentences for a factoid question, wire copies once with all their
// citations, Persian digits and letters throughout.
func TestSeedsAnswerShape(t *testing.T) {
	c := New(seedIndex(t), Options{})
	a := ask(t, c, "", "دولت گندم رو کیلویی چند از کشاورزا می‌خره؟")
	if n := strings.Count(a.Text, "\n") + 1; n > factoidSentences {
		t.Errorf("%d lines for a one-number question:\n%s", n, a.Text)
	}
	if strings.ContainsAny(a.Text, "0123456789يكى") {
		t.Errorf("Latin digits or Arabic letters shown:\n%s", a.Text)
	}
	for _, s := range a.Sources {
		if strings.ContainsAny(s.Line(), "يكى") {
			t.Errorf("source line in Arabic letters: %s", s.Line())
		}
	}
	flood := ask(t, c, "", "در سیل مازندران چند نفر نجات داده شدند؟")
	if n := strings.Count(flood.Text, "نجات داده"); n != 1 {
		t.Errorf("the rescue figure is quoted %d times:\n%s", n, flood.Text)
	}
	if !strings.Contains(firstLine(flood.Text), "۴۵ نفر") || !strings.Contains(firstLine(flood.Text), "[۱][۲]") {
		t.Errorf("want the rescue sentence first with both outlets' citations:\n%s", flood)
	}
}

// TestSeedsFollowUpOffline: in a conversation without a model, «و درباره
// داعش چه گفت؟» after a question about Iraq's defence minister finds the
// article's ISIS sentence and does not repeat the previous answer.
func TestSeedsFollowUpOffline(t *testing.T) {
	c := New(seedIndex(t), Options{})
	first := ask(t, c, "chat", "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟")
	a := ask(t, c, "chat", "و درباره داعش چه گفت؟")
	// The ISIS sentence opens with «وی»: the sentence naming him may
	// come first.
	lines := strings.Split(a.Text, "\n")
	if a.NotFound() || !strings.Contains(strings.Join(lines[:min(2, len(lines))], "\n"), "مقابله با داعش") {
		t.Fatalf("the ISIS sentence is not the answer:\n%s", a)
	}
	if a.Sources[0].ArticleID != "000_ce323faa9758fc94.txt" {
		t.Errorf("not from the user's article: %+v", a.Sources[0])
	}
	if a.Text == first.Text || strings.Contains(first.Text, "مقابله با داعش") {
		t.Errorf("the follow-up repeats the previous answer:\n%s", a.Text)
	}
	if strings.Contains(a.Standalone, "روابط") {
		t.Errorf("the previous topic was carried: %q", a.Standalone)
	}
}

// TestSeedsNearMisses: a question on a topic the news covers, about a fact
// it does not state, is not found and cites nothing; the questions the
// news does answer still are.
func TestSeedsNearMisses(t *testing.T) {
	c := New(seedIndex(t), Options{})
	for _, q := range []string{
		"نتیجه بازی استقلال و سپاهان چه شد؟", // the Sepahan–Tractor result is not it
		"خط ۱۱ مترو تهران کی افتتاح می‌شود؟", // line 10 opened
		"قیمت بنزین چند است؟",                // petrol production, not its price
		"وزیر دفاع عراق درباره اسرائیل چه گفت؟",
		"تیم ملی والیبال ایران قهرمان شد؟", // the wrestlers were
		"تیم ملی والیبل ایران قهرمان شد؟",  // misspelt, read as «والیبال»: still not the wrestlers
	} {
		a := ask(t, c, "", q)
		if !a.NotFound() || len(a.Sources) != 0 || strings.Contains(a.Text, "[") {
			t.Errorf("%s: want not found, citing nothing; got:\n%s", q, a)
		}
	}
	for _, tt := range []struct{ q, want string }{
		{"نتیجه بازی سپاهان و تراکتور چه شد؟", "۲ بر صفر"},
		{"خط ۱۰ مترو تهران کی افتتاح شد؟", "۹ مهر ۱۴۰۴"},
		{"تولید بنزین ستاره خلیج فارس چقدر است؟", "۴۸ میلیون لیتر"},
	} {
		a := ask(t, c, "", tt.q)
		if a.NotFound() || !strings.Contains(a.Text, tt.want) {
			t.Errorf("%s: want %q, got:\n%s", tt.q, tt.want, a)
		}
	}
}

// TestSeedsNearMissIndependentOfOtherFiles: the decision depends on the
// question and the quoted sentences, not on which other articles the
// index holds: replacing an unrelated article does not flip it.
func TestSeedsNearMissIndependentOfOtherFiles(t *testing.T) {
	seeds := os.DirFS("../seeds")
	base := fstest.MapFS{}
	entries, err := fs.ReadDir(seeds, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(seeds, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		base[e.Name()] = &fstest.MapFile{Data: b}
	}
	variant := fstest.MapFS{}
	for k, v := range base {
		variant[k] = v
	}
	// An unrelated article replaced by a wrestling report.
	for _, e := range entries {
		if b := string(base[e.Name()].Data); strings.Contains(b, "گندم") {
			variant[e.Name()] = &fstest.MapFile{Data: []byte("date 2025-10-05 به گزارش ایسنا، تیم ملی کشتی آزاد ایران در رقابت‌های جهانی قهرمان شد و کشتی‌گیران ایران سه مدال طلا گرفتند.")}
		}
	}
	for _, corpus := range []fstest.MapFS{base, variant} {
		emb := retrieval.NewLocalEmbedder(256)
		ix := retrieval.New(emb, emb.Identity(), retrieval.Options{})
		if _, err := ix.Sync(context.Background(), corpus); err != nil {
			t.Fatal(err)
		}
		a := ask(t, New(ix, Options{}), "", "تیم ملی والیبال ایران قهرمان شد؟")
		if !a.NotFound() {
			t.Errorf("answered a question about volleyball:\n%s", a)
		}
	}
}
