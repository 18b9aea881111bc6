package answer

import (
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/persian"
)

// TestSeedsSubjectlessFollowUpStaysOnTheStory: a question that leaves its
// subject out («چند تا تماشاگر اومده بودن؟») is about the match the
// conversation is on, not the largest crowd the news reports; and the
// first line of a follow-up is from that match's article.
func TestSeedsSubjectlessFollowUpStaysOnTheStory(t *testing.T) {
	c := New(seedIndex(t), Options{})
	ask(t, c, "conv", "سپاهان با تراکتور چند چند شد؟")
	goal := ask(t, c, "conv", "گل اولش رو دقیقه چند زدن؟")
	if first := firstLine(goal.Text); !strings.Contains(first, "دقیقه ۳۴") {
		t.Errorf("want Sepahan's first goal first:\n%s", goal)
	}
	crowd := ask(t, c, "conv", "چند تا تماشاگر اومده بودن؟")
	if crowd.NotFound() || !strings.Contains(crowd.Text, "۲۵ هزار تماشاگر") || strings.Contains(crowd.Text, "۳۵ هزار") {
		t.Errorf("want the crowd of the Sepahan–Tractor match (۲۵ هزار), not another one:\n%s", crowd)
	}
	for _, s := range crowd.Sources {
		if s.ArticleID != goal.Sources[0].ArticleID {
			t.Errorf("cites another article than the match's: %+v", s.Passage.Chunk)
		}
	}
}

// TestSeedsSubjectlessFollowUpCarriesTheSubject: a question answered from
// the story («چند تا ایستگاه داره؟») keeps the story's subject for the
// next turn, as the explicit follow-ups do.
func TestSeedsSubjectlessFollowUpCarriesTheSubject(t *testing.T) {
	c := New(seedIndex(t), Options{})
	ask(t, c, "conv", "خط ۱۰ مترو کی افتتاح شد؟")
	a := ask(t, c, "conv", "چند تا ایستگاه داره؟")
	if a.NotFound() || !strings.Contains(a.Text, "۶ ایستگاه") {
		t.Fatalf("want «۶ ایستگاه»:\n%s", a)
	}
	if !strings.Contains(a.Standalone, "مترو") {
		t.Errorf("the conversation's subject is not carried: %q", a.Standalone)
	}
}

// TestSeedsNewStoryInAConversation: a question on another story, or on
// another member of what was asked, in the same chat is read alone.
func TestSeedsNewStoryInAConversation(t *testing.T) {
	for _, tt := range []struct {
		first, next, want, wrong string
	}{
		{"خط ۱۰ مترو چند ایستگاه دارد؟", "سیل غرب مازندران چقدر خسارت زد؟", "۸۵۰ میلیارد تومان", "ایستگاه"},
		{"سپاهان با تراکتور چند چند شد؟", "پرسپولیس با تراکتور چند چند شد؟", "یک بر یک", "۲ بر صفر"},
	} {
		c := New(seedIndex(t), Options{})
		ask(t, c, "conv", tt.first)
		a := ask(t, c, "conv", tt.next)
		if a.NotFound() || !strings.Contains(a.Text, tt.want) || strings.Contains(a.Text, tt.wrong) {
			t.Errorf("%s after %s: want %q, not %q:\n%s", tt.next, tt.first, tt.want, tt.wrong, a)
		}
	}
}

// TestTurnKeepsTheCitedArticles: the memory of a turn holds the articles
// its answer cited, through a ConversationStore too, and none for a
// not-found answer.
func TestTurnKeepsTheCitedArticles(t *testing.T) {
	store := &mapStore{convs: map[string][]Turn{}}
	c := New(seedIndex(t), Options{Conversations: store, Now: func() time.Time { return mehr1404 }})
	a := ask(t, c, "conv", "سپاهان با تراکتور چند چند شد؟")
	ask(t, c, "conv", "قیمت بلیت کنسرت در مریخ چند است؟")
	turns := store.Recent("conv")
	if len(turns) != 2 {
		t.Fatalf("want 2 turns, got %d", len(turns))
	}
	if len(turns[0].Articles) == 0 || turns[0].Articles[0] != a.Sources[0].ArticleID {
		t.Errorf("first turn's articles %v, want the cited %s first", turns[0].Articles, a.Sources[0].ArticleID)
	}
	if len(turns[1].Articles) != 0 {
		t.Errorf("a not-found turn keeps articles: %v", turns[1].Articles)
	}
}

// TestSeedsRestatedFigureCitedOnce: another outlet telling the same figures
// in its own words («دلار آزاد … به ۱۱۴ هزار و ۶۰۰ تومان رسید») is not a
// line of its own: its citation joins the line that states them.
func TestSeedsRestatedFigureCitedOnce(t *testing.T) {
	c := seedComposer(t, mehr1404)
	a := ask(t, c, "", "قیمت دلار در بازار آزاد تهران روز ۱۳ مهر چقدر بود؟")
	if a.NotFound() {
		t.Fatalf("not found:\n%s", a)
	}
	if strings.Contains(a.Text, "در بازار ارز هم دلار آزاد") {
		t.Errorf("the restated figure has a line of its own:\n%s", a.Text)
	}
	if first := firstLine(a.Text); !strings.Contains(first, "۱۱۴ هزار و ۶۰۰") || !strings.Contains(first, "][") {
		t.Errorf("want the figure first, cited by both outlets:\n%s", a.Text)
	}
}

func TestRestatedBy(t *testing.T) {
	cand := func(text string) candidate { return candidate{words: persian.Tokens(text)} }
	cands := []candidate{
		cand("قیمت دلار روز ۱۳ مهر با افت ۱۶۰۰ تومانی به ۱۱۴۶۰۰ تومان رسید"),
		cand("دلار آزاد با ۱۶۰۰ تومان کاهش به ۱۱۴۶۰۰ تومان رسید"), // the same figures
		cand("دلار به ۱۱۴۶۰۰ تومان رسید که ۱.۴ درصد کمتر است"),    // a new one
		cand("سکه به ۱۱۱ میلیون تومان رسید"),                      // one figure only
	}
	for i, want := range []int{-1, 0, -1, -1} {
		if got := restatedBy(cands, i, []int{0}); i > 0 && got != want {
			t.Errorf("restatedBy(%d) = %d, want %d", i, got, want)
		}
	}
}
