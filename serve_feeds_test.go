package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/internal/telegramtest"
)

// waitSynced returns the first synced poll that added an article with
// link url.
func waitSynced(ctx context.Context, t *testing.T, ch <-chan syncedPoll, url string) syncedPoll {
	t.Helper()
	for {
		select {
		case p := <-ch:
			if p.err != nil {
				t.Fatalf("sync after a poll: %v", p.err)
			}
			for _, f := range p.feed.Feeds {
				if slices.ContainsFunc(f.Added, func(a corpus.Article) bool { return a.URL == url }) {
					return p
				}
			}
		case <-ctx.Done():
			t.Fatalf("no poll added %s", url)
		}
	}
}

// lastMessage waits for the n-th message to chat and returns it.
func lastMessage(ctx context.Context, t *testing.T, fake *telegramtest.Server, chat int64, n int) telegramtest.Sent {
	t.Helper()
	msgs, err := fake.WaitMessages(ctx, chat, n)
	if err != nil {
		t.Fatal(err)
	}
	return msgs[n-1]
}

// TestServeFollowsFeeds runs serve against the fake Bot API with two
// feeds, one of them broken: a new item in the good feed is answerable
// after one poll, cited by its link; /feeds shows both (to the admin, in
// private), and a feed added with /feeds add is still followed after a
// restart, a removed one no longer.
func TestServeFollowsFeeds(t *testing.T) {
	synced := testFeedOptions(t)
	srv := newNewsServer(t)
	now := time.Now()
	good := srv.set("/news.xml", dollarItem(now.Add(-2*time.Hour)))
	broken := srv.breakPath("/broken.xml", 500)
	extra := srv.set("/extra.xml", rainItem(now.Add(-time.Hour)))

	fake := telegramtest.New(t, telegramtest.Options{})
	ops := freeAddr(t)
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "TELEGRAM_BOT_TOKEN", fake.Token(),
		"TELEGRAM_API_ENDPOINT", fake.APIEndpoint(), "ADMIN_USER_IDS", "1", "OPS_LISTEN", ops,
		"FEEDS", good+" خبرگزاری آزمون,"+broken, "FEED_INTERVAL", "1s")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, mapenv(vars), strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	if err := fake.WaitPolling(wctx); err != nil {
		cancel()
		t.Fatalf("%v\n%s", err, <-done)
	}
	waitSynced(wctx, t, synced, "https://news.example.ir/1404/dollar")

	// A new item appears; after one poll the bot answers about it.
	srv.add("/news.xml", quakeItem(now.Add(-10*time.Minute)))
	waitSynced(wctx, t, synced, "https://news.example.ir/1404/quake-bam")
	reader := tgbotapi.Chat{ID: 5, Type: "private"}
	fake.PushText(reader, tgbotapi.User{ID: 5}, "زلزله بم چند ریشتر بود؟")
	ans := lastMessage(wctx, t, fake, reader.ID, 1)
	if !strings.Contains(ans.Text, `<a href="https://news.example.ir/1404/quake-bam">`) || !strings.Contains(ans.Visible, "[۱]") || !strings.Contains(ans.Visible, "بم") {
		t.Errorf("answer: %s", ans.Text)
	}
	fake.PushText(reader, tgbotapi.User{ID: 5}, "/feeds")
	if got := lastMessage(wctx, t, fake, reader.ID, 2).Visible; !strings.Contains(got, "فقط مدیران ربات") {
		t.Errorf("/feeds to a reader: %q", got)
	}

	admin := tgbotapi.Chat{ID: 1, Type: "private"}
	fake.PushText(admin, tgbotapi.User{ID: 1}, "/feeds")
	list := lastMessage(wctx, t, fake, admin.ID, 1).Visible
	for _, want := range []string{"خبرخوان‌ها (۲)", "۱. خبرگزاری آزمون (از تنظیمات)", good, "خبرهای افزوده: ۲",
		"۲. 127.0.0.1", broken, "سرور در دسترس نیست", "خطای پیاپی", "به وقت تهران", "دریافت بعدی"} {
		if !strings.Contains(list, want) {
			t.Errorf("/feeds lacks %q:\n%s", want, list)
		}
	}
	if !strings.Contains(list, "به وقت تهران — موفق") && !strings.Contains(list, "به وقت تهران — بی‌تغییر (۳۰۴)") {
		t.Errorf("/feeds lacks the good feed's status:\n%s", list)
	}
	group := tgbotapi.Chat{ID: -100, Type: "supergroup"}
	fake.PushText(group, tgbotapi.User{ID: 1}, "/feeds")
	if got := lastMessage(wctx, t, fake, group.ID, 1).Visible; !strings.Contains(got, "گفت‌وگوی خصوصی") {
		t.Errorf("/feeds in a group: %q", got)
	}

	fake.PushText(admin, tgbotapi.User{ID: 1}, "/feeds add "+extra+" خبرگزاری دوم")
	if got := lastMessage(wctx, t, fake, admin.ID, 2).Visible; !strings.Contains(got, "«خبرگزاری دوم» افزوده شد") {
		t.Errorf("/feeds add: %q", got)
	}
	waitSynced(wctx, t, synced, "https://news.example.ir/1404/rain-gilan")
	fake.PushText(admin, tgbotapi.User{ID: 1}, "/feeds remove ۲")
	if got := lastMessage(wctx, t, fake, admin.ID, 3).Visible; !strings.Contains(got, "حذف شد") || !strings.Contains(got, broken) {
		t.Errorf("/feeds remove: %q", got)
	}
	fake.PushText(admin, tgbotapi.User{ID: 1}, "/feeds remove ۹")
	if got := lastMessage(wctx, t, fake, admin.ID, 4).Visible; !strings.Contains(got, "چنین خبرخوانی در فهرست نیست") {
		t.Errorf("/feeds remove of no feed: %q", got)
	}
	if !slices.ContainsFunc(fake.Commands(), func(c tgbotapi.BotCommand) bool { return c.Command == "feeds" }) {
		t.Errorf("/feeds is not registered: %+v", fake.Commands())
	}

	body := get(t, "http://"+ops+"/metrics")
	for _, want := range []string{
		`khabar_feed_fetch_total{feed="` + good + `",status="ok"}`,
		`khabar_feed_fetch_total{feed="` + broken + `",status="unavailable"}`,
		`khabar_feed_items_added_total{feed="` + good + `"} 2`,
		`khabar_feed_last_success_timestamp_seconds{feed="` + good + `"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}

	// A restart: the added feed is followed, the removed one not.
	out, _, err := runCmd(t, vars, "", "feeds")
	if err != nil {
		t.Fatalf("feeds after a restart: %v\n%s", err, out)
	}
	if !strings.Contains(out, "خبرگزاری دوم <"+extra+">") || !strings.Contains(out, "خبرگزاری آزمون <"+good+">") || strings.Contains(out, broken) {
		t.Errorf("feeds after a restart:\n%s", out)
	}
}
