package chat

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus/feed"
	"github.com/khabar/khabar/retrieval"
)

var _ feeds = (*feed.Poller)(nil)

// TestFeedsCommand drives /feeds over a real poller (List, Add and Remove
// do no network I/O).
func TestFeedsCommand(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	p, err := feed.New(dir, []feed.Spec{{URL: "https://a.example.ir/rss", Name: "خبرگزاری الف"}}, feed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reloads := 0
	c := New(&scriptedAnswerer{a: sampleAnswer()}, discard(), Options{
		Feeds:  p,
		Reload: func(context.Context) (retrieval.Report, error) { reloads++; return retrieval.Report{}, nil },
	})
	admin := func(text string) string {
		t.Helper()
		r := c.Handle(ctx, Message{ChatID: 1, UserID: 1, Text: text, Admin: true, Private: true})
		return r.PlainText()
	}
	for _, tc := range []struct {
		m    Message
		want string
	}{
		{Message{ChatID: 5, UserID: 5, Text: "/feeds", Private: true}, msgFeedsRefused},
		{Message{ChatID: 5, UserID: 5, Text: "/feeds add https://b.example.ir/rss", Private: true}, msgFeedsRefused},
		{Message{ChatID: -100, UserID: 1, Text: "/feeds", Admin: true}, msgFeedsPrivateOnly},
	} {
		if got := c.Handle(ctx, tc.m).PlainText(); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.m, got, tc.want)
		}
	}
	if len(p.List()) != 1 {
		t.Fatalf("a refused /feeds add changed the list: %+v", p.List())
	}

	list := admin("/feeds")
	for _, want := range []string{"خبرخوان‌ها (۱)", "۱. خبرگزاری الف (از تنظیمات)", "https://a.example.ir/rss", msgFeedsNeverFetched} {
		if !strings.Contains(list, want) {
			t.Errorf("/feeds lacks %q:\n%s", want, list)
		}
	}
	for text, want := range map[string]string{
		"/feeds add ftp://b.example.ir/rss":   msgFeedsBadURL,
		"/feeds add https://a.example.ir/rss": msgFeedsDuplicate,
		"/feeds add":                          msgFeedsUsage,
		"/feeds remove":                       msgFeedsUsage,
		"/feeds remove ۷":                     msgFeedsNotFound,
		"/feeds something":                    msgFeedsUsage,
	} {
		if got := admin(text); got != want {
			t.Errorf("%s: got %q, want %q", text, got, want)
		}
	}
	if got := admin("/feeds add https://B.example.ir/rss  خبرگزاری  ب "); !strings.Contains(got, "«خبرگزاری ب» افزوده شد") || !strings.Contains(got, "https://b.example.ir/rss") {
		t.Errorf("add: %q", got)
	}
	if l := p.List(); len(l) != 2 || l[1].Origin != "admin" || l[1].Name != "خبرگزاری ب" {
		t.Errorf("after add: %+v", l)
	}
	// Persisted: a new poller over the same folder follows it.
	if p2, err := feed.New(dir, []feed.Spec{{URL: "https://a.example.ir/rss"}}, feed.Options{}); err != nil || len(p2.List()) != 2 {
		t.Errorf("after a restart: %v, %+v", err, p2.List())
	}
	r := c.Handle(ctx, Message{ChatID: 1, UserID: 1, Text: "/feeds remove ۱", Admin: true, Private: true})
	if !strings.Contains(r.PlainText(), "«خبرگزاری الف» حذف شد") || r.Then != nil || reloads != 0 {
		t.Errorf("remove of a feed without articles: %q, then %v", r.PlainText(), r.Then != nil)
	}
	if got := admin("/feeds remove https://b.example.ir/rss"); !strings.Contains(got, "حذف شد") {
		t.Errorf("remove by URL: %q", got)
	}
	if got := admin("/feeds"); !strings.Contains(got, msgFeedsNone) {
		t.Errorf("empty list: %q", got)
	}
	if got := New(&scriptedAnswerer{}, discard(), Options{}).Handle(ctx, Message{Text: "/feeds", Admin: true, Private: true}).PlainText(); got != msgFeedsUnavailable {
		t.Errorf("without feeds: %q", got)
	}
	if !New(&echoAnswerer{}, discard(), Options{}).Known("feeds") || !strings.Contains(admin("/help"), "/feeds") {
		t.Error("/feeds is not listed")
	}
}

func TestFeedsListTimesInTehran(t *testing.T) {
	fetched := time.Date(2026, 12, 2, 17, 17, 0, 0, time.UTC)
	list := feedsList([]feed.FeedStatus{{
		Number: 1, URL: "https://a.example.ir/rss", Outlet: "الف", Origin: "admin", Articles: 12,
		State: feed.State{LastFetch: fetched, LastStatus: feed.StatusGone, ItemsSeen: 5, ArticlesAdded: 14, Failures: 3, NextPoll: fetched.Add(24 * time.Hour)},
	}}, fetched)
	for _, want := range []string{"۱. الف (افزوده مدیر)", "آخرین دریافت: ۱۱ آذر ۱۴۰۵، ۲۰:۴۷ به وقت تهران — دیگر در دسترس نیست", "(خطای پیاپی: ۳)",
		"موارد آخرین دریافت: ۵ · خبرهای افزوده: ۱۴ · خبرهای موجود: ۱۲", "دریافت بعدی: ۱۲ آذر ۱۴۰۵، ۲۰:۴۷"} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}
}

// stubFeeds is a feeds whose one feed has articles.
type stubFeeds struct{ removed []string }

func (s *stubFeeds) List() []feed.FeedStatus { return nil }
func (s *stubFeeds) Add(string, string) (feed.FeedStatus, error) {
	return feed.FeedStatus{}, nil
}
func (s *stubFeeds) Remove(key string) (feed.FeedStatus, error) {
	s.removed = append(s.removed, key)
	return feed.FeedStatus{Number: 1, URL: "https://a.example.ir/rss", Outlet: "الف", Articles: 3}, nil
}

// TestFeedsRemoveSyncsTheIndex: removing a feed with articles reloads the
// index (its files are gone) and reports the sync.
func TestFeedsRemoveSyncsTheIndex(t *testing.T) {
	ctx := t.Context()
	f := &stubFeeds{}
	reloads := 0
	c := New(&scriptedAnswerer{}, discard(), Options{
		Feeds: f,
		Reload: func(context.Context) (retrieval.Report, error) {
			reloads++
			return retrieval.Report{Articles: 40, Removed: 6}, nil
		},
	})
	r := c.Handle(ctx, Message{ChatID: 1, UserID: 1, Text: "/feeds remove ۱", Admin: true, Private: true})
	if len(f.removed) != 1 || f.removed[0] != "1" || r.Then == nil || !strings.Contains(r.PlainText(), MsgReloading) {
		t.Fatalf("remove: %q, removed %v", r.PlainText(), f.removed)
	}
	done := r.Then(ctx)
	if reloads != 1 || !strings.Contains(done.PlainText(), "«الف» حذف شد") || !strings.Contains(done.PlainText(), MsgReloadDone) || !strings.Contains(done.PlainText(), msgReportRemoved+": ۶") {
		t.Errorf("after the sync (%d reloads): %q", reloads, done.PlainText())
	}
}
