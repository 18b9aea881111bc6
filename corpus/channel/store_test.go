package channel_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/corpus/channel"
)

var (
	public  = channel.Chat{ID: -1001234567890, Title: "خبر فوری", Username: "khabarfori"}
	private = channel.Chat{ID: -1009876543210, Title: "کانال خصوصی"}
	// 2025-10-05 22:00 UTC is 6 October, 01:30 in Tehran.
	posted = time.Date(2025, 10, 5, 22, 0, 0, 0, time.UTC)
)

const longText = "وزیر نیرو از آغاز ساخت سد تازه‌ای در استان کرمان خبر داد. این سد تا سه سال دیگر آماده می‌شود."

func open(t *testing.T, dir string, opts channel.Options) *channel.Store {
	t.Helper()
	s, probs, err := channel.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) > 0 {
		t.Errorf("problems: %q", probs)
	}
	return s
}

func put(t *testing.T, s *channel.Store, p channel.Post) channel.Result {
	t.Helper()
	res, err := s.Put(p)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// load reads dir with the corpus loader, as the index does.
func load(t *testing.T, dir string) map[string]corpus.Article {
	t.Helper()
	c, err := corpus.Load(context.Background(), os.DirFS(dir), corpus.LoadOptions{Now: func() time.Time { return posted.Add(time.Hour) }})
	out := map[string]corpus.Article{}
	if err != nil {
		return out
	}
	if len(c.Problems) > 0 {
		t.Errorf("loader problems: %v", c.Problems)
	}
	for _, a := range c.Articles {
		out[a.ID] = a
	}
	return out
}

func TestPostBecomesAnArticleTheLoaderReads(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, channel.Options{})
	res := put(t, s, channel.Post{Chat: public, MessageID: 42, Date: posted, Text: longText + "\n\n🆔 @khabarfori\nhttps://t.me/khabarfori"})
	if res.Outcome != channel.Added || !res.CorpusChanged {
		t.Fatalf("Put = %+v, want added and the corpus changed", res)
	}
	put(t, s, channel.Post{Chat: private, MessageID: 7, Date: posted, Text: "عکس: " + longText})

	arts := load(t, dir)
	a, ok := arts["telegram/-1001234567890/42"]
	if !ok || len(arts) != 2 {
		t.Fatalf("loaded %v, want the two posts", arts)
	}
	if a.Source != "خبر فوری" || a.URL != "https://t.me/khabarfori/42" || a.Text != longText {
		t.Errorf("article = %+v", a)
	}
	if want := time.Date(2025, 10, 6, 0, 0, 0, 0, time.UTC); !a.Date.Equal(want) {
		t.Errorf("date %s, want the Tehran day %s", a.Date, want)
	}
	if a.Title != "وزیر نیرو از آغاز ساخت سد تازه‌ای در استان کرمان خبر داد" {
		t.Errorf("title %q, want the first sentence", a.Title)
	}
	if p := arts["telegram/-1009876543210/7"]; p.URL != "" || p.Source != "کانال خصوصی" {
		t.Errorf("private channel's article = %+v, want no url", p)
	}
	if _, err := os.Stat(filepath.Join(dir, "channel-1001234567890.jsonl")); err != nil {
		t.Errorf("no file for the channel: %v", err)
	}
}

func TestShortPostsAreSkipped(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, channel.Options{})
	for _, text := range []string{
		"",                                    // a sticker, a photo without caption
		"https://www.isna.ir/news/1404070605", // a link alone
		"فوری 🔴 @khabarfori",
		"#فوری #زلزله زلزله در کرمان https://t.me/x/1",
		"انفجار در بندر شهید رجایی", // five words
	} {
		if res := put(t, s, channel.Post{Chat: public, MessageID: 1, Date: posted, Text: text}); res.Outcome != channel.Skipped || res.CorpusChanged {
			t.Errorf("%q: %+v, want skipped", text, res)
		}
	}
	if res := put(t, s, channel.Post{Chat: public, MessageID: 2, Date: posted, Text: "زلزله ۵ ریشتری بندرعباس را لرزاند"}); res.Outcome != channel.Added {
		t.Errorf("a six-word flash: %v, want added", res.Outcome)
	}
	if got := channel.Words("زلزله ۵ ریشتری بندرعباس را لرزاند @x https://a.b #c"); got != channel.DefaultMinWords {
		t.Errorf("Words = %d, want %d", got, channel.DefaultMinWords)
	}
}

func TestEditReplacesTheArticle(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, channel.Options{})
	put(t, s, channel.Post{Chat: public, MessageID: 42, Date: posted, Text: longText})
	edited := strings.Replace(longText, "کرمان", "یزد", 1)
	res := put(t, s, channel.Post{Chat: public, MessageID: 42, Date: posted, EditDate: posted.Add(time.Hour), Text: edited})
	if res.Outcome != channel.Replaced || !res.CorpusChanged {
		t.Fatalf("edit: %+v, want replaced", res)
	}
	// An older edit delivered late does not undo the newer one.
	if res := put(t, s, channel.Post{Chat: public, MessageID: 42, Date: posted, EditDate: posted.Add(time.Minute), Text: longText}); res.Outcome != channel.Unchanged {
		t.Errorf("older edit: %v, want unchanged", res.Outcome)
	}
	arts := load(t, dir)
	if a := arts["telegram/-1001234567890/42"]; len(arts) != 1 || a.Text != edited {
		t.Errorf("after the edit: %v, want the edited text alone", arts)
	}
	// An edit that leaves a link alone removes the article.
	res = put(t, s, channel.Post{Chat: public, MessageID: 42, Date: posted, EditDate: posted.Add(2 * time.Hour), Text: "https://t.me/khabarfori/43"})
	if res.Outcome != channel.Removed || !res.CorpusChanged {
		t.Errorf("edit to a link: %+v, want removed", res)
	}
	if arts := load(t, dir); len(arts) != 0 {
		t.Errorf("after removal: %v, want none", arts)
	}
	if in := s.List(); len(in) != 1 || in[0].Posts != 0 {
		t.Errorf("List = %+v, want the channel with no posts", in)
	}
}

func TestOnlyListedChannelsCount(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, channel.Options{Only: []int64{public.ID}})
	if res := put(t, s, channel.Post{Chat: private, MessageID: 1, Date: posted, Text: longText}); res.Outcome != channel.Ignored || res.CorpusChanged {
		t.Errorf("unlisted channel: %+v, want ignored", res)
	}
	put(t, s, channel.Post{Chat: public, MessageID: 1, Date: posted, Text: longText})
	if arts := load(t, dir); len(arts) != 1 {
		t.Errorf("loaded %v, want the listed channel's post only", arts)
	}
	if s.Counted(private.ID) || !s.Counted(public.ID) {
		t.Errorf("Counted: private %v public %v", s.Counted(private.ID), s.Counted(public.ID))
	}
}

func TestAdminStatusAndRestart(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, channel.Options{})
	if res, err := s.SetAdmin(public, true); err != nil || res.CorpusChanged {
		t.Fatalf("SetAdmin: %+v %v", res, err)
	}
	put(t, s, channel.Post{Chat: public, MessageID: 5, Date: posted, Text: longText})
	put(t, s, channel.Post{Chat: private, MessageID: 6, Date: posted.Add(time.Hour), Text: longText})

	// Removed as admin: the posts leave the corpus, and come back.
	res, err := s.SetAdmin(public, false)
	if err != nil || !res.CorpusChanged {
		t.Fatalf("SetAdmin false: %+v %v", res, err)
	}
	if arts := load(t, dir); len(arts) != 1 {
		t.Errorf("after removal as admin: %d articles, want 1", len(arts))
	}

	// A restart keeps the posts and the status.
	s = open(t, dir, channel.Options{})
	list := s.List()
	if len(list) != 2 || list[0].ID != private.ID || !list[0].Counted || list[1].Counted || list[1].Admin || list[1].Posts != 1 {
		t.Fatalf("List after restart = %+v", list)
	}
	if !list[0].Last.Equal(posted.Add(time.Hour)) {
		t.Errorf("last post %s, want %s", list[0].Last, posted.Add(time.Hour))
	}
	if res, err := s.SetAdmin(public, true); err != nil || !res.CorpusChanged {
		t.Fatalf("SetAdmin true: %+v %v", res, err)
	}
	if arts := load(t, dir); len(arts) != 2 {
		t.Errorf("after becoming admin again: %d articles, want 2", len(arts))
	}

	// SOURCE_CHANNEL_IDS set at a restart sets the other channels aside.
	s = open(t, dir, channel.Options{Only: []int64{public.ID}})
	if arts := load(t, dir); len(arts) != 1 || arts["telegram/-1001234567890/5"].ID == "" {
		t.Errorf("with Only: %v, want the public channel's post", arts)
	}
	if got := s.Admins(); len(got) != 2 {
		t.Errorf("Admins = %v, want both", got)
	}
}

func TestTitleAndUsernameChangesReachStoredPosts(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, channel.Options{})
	put(t, s, channel.Post{Chat: public, MessageID: 5, Date: posted, Text: longText})
	renamed := channel.Chat{ID: public.ID, Title: "خبر فوری ۲", Username: "khabarfori2"}
	res := put(t, s, channel.Post{Chat: renamed, MessageID: 6, Date: posted, Text: "فوری"})
	if res.Outcome != channel.Skipped || !res.CorpusChanged {
		t.Errorf("short post under a new title: %+v, want skipped with the corpus changed", res)
	}
	a := load(t, dir)["telegram/-1001234567890/5"]
	if a.Source != "خبر فوری ۲" || a.URL != "https://t.me/khabarfori2/5" {
		t.Errorf("article = %+v, want the new title and link", a)
	}
}

func TestLostStateFileIsRebuiltFromThePosts(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, channel.Options{})
	put(t, s, channel.Post{Chat: public, MessageID: 5, Date: posted, Text: longText})
	if err := os.Remove(filepath.Join(dir, "channels.json")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, ".channel-1.jsonl.tmp-123"), []byte("partial"), 0o644)
	s = open(t, dir, channel.Options{})
	if l := s.List(); len(l) != 1 || l[0].Title != public.Title || l[0].Username != public.Username || l[0].Posts != 1 || !l[0].Counted {
		t.Errorf("List = %+v", l)
	}
	if _, err := os.Stat(filepath.Join(dir, ".channel-1.jsonl.tmp-123")); err == nil {
		t.Error("a stale temporary file was left")
	}
}

func TestBadLinesAreReported(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "channel-5.jsonl"), []byte("{not json\n"), 0o644)
	_, probs, err := channel.Open(dir, channel.Options{})
	if err != nil || len(probs) != 1 || !strings.Contains(probs[0], "channel-5.jsonl:1") {
		t.Errorf("Open: %q %v, want one problem", probs, err)
	}
}
