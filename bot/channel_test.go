package bot

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/corpus/channel"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/retrieval"
)

const channelNews = "وزیر نیرو از آغاز ساخت سد تازه‌ای در استان کرمان خبر داد. این سد تا سه سال دیگر آماده می‌شود."

// channelRig is a bot that keeps channel posts in a real store and
// records each index sync.
type channelRig struct {
	*testBot
	store *channel.Store
	dir   string
	syncs chan struct{}
}

func startChannelBot(t *testing.T, fake *telegramtest.Server, dir string, only ...int64) *channelRig {
	t.Helper()
	store, _, err := channel.Open(dir, channel.Options{Only: only})
	if err != nil {
		t.Fatal(err)
	}
	syncs := make(chan struct{}, 100)
	ch := chat.New(&echoAnswerer{}, testLogger(t), chat.Options{
		Reload: func(context.Context) (retrieval.Report, error) {
			syncs <- struct{}{}
			return retrieval.Report{}, nil
		},
		Channels: store,
	})
	tb := startBot(t, fake, ch, Options{Channels: store, ChannelSyncDelay: time.Millisecond, Admins: []int64{1}})
	return &channelRig{testBot: tb, store: store, dir: dir, syncs: syncs}
}

func (r *channelRig) waitSync(t *testing.T) {
	t.Helper()
	select {
	case <-r.syncs:
	case <-time.After(waitFor):
		t.Fatal("no index sync after the post")
	}
}

// until waits, sync after sync, until the stored articles satisfy ok,
// and returns them.
func (r *channelRig) until(t *testing.T, ok func(map[string]corpus.Article) bool) map[string]corpus.Article {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		arts := r.articles(t)
		if ok(arts) {
			return arts
		}
		select {
		case <-r.syncs:
		case <-deadline:
			t.Fatalf("the articles never became as expected: %+v", arts)
		}
	}
}

// articles reads the store's folder with the corpus loader.
func (r *channelRig) articles(t *testing.T) map[string]corpus.Article {
	t.Helper()
	out := map[string]corpus.Article{}
	c, err := corpus.Load(context.Background(), os.DirFS(r.dir), corpus.LoadOptions{})
	if err != nil {
		return out
	}
	for _, a := range c.Articles {
		out[a.ID] = a
	}
	return out
}

func TestChannelPostsBecomeArticles(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	rig := startChannelBot(t, fake, t.TempDir())
	news := tgbotapi.Chat{ID: -1001234567890, Title: "خبر فوری", UserName: "khabarfori"}
	secret := tgbotapi.Chat{ID: -1005555, Title: "کانال خصوصی"}

	// Short posts are skipped; the post after them is stored and synced.
	fake.PushChannelPost(tgbotapi.Message{Chat: &news, Sticker: &tgbotapi.Sticker{FileID: "s"}})
	fake.PushChannelPost(tgbotapi.Message{Chat: &news, Text: "https://www.isna.ir/news/1404"})
	post := fake.PushChannelPost(tgbotapi.Message{Chat: &news, Text: channelNews})
	photo := fake.PushChannelPost(tgbotapi.Message{Chat: &secret, Photo: []tgbotapi.PhotoSize{{FileID: "p"}}, Caption: "عکس: " + channelNews})
	rig.waitSync(t)
	arts := rig.until(t, func(a map[string]corpus.Article) bool { return len(a) >= 2 })
	a := arts[channel.ArticleID(news.ID, post.MessageID)]
	if len(arts) != 2 || a.Text != channelNews || a.Source != "خبر فوری" || a.URL != "https://t.me/khabarfori/"+strconv.Itoa(post.MessageID) {
		t.Fatalf("articles = %+v", arts)
	}
	if p := arts[channel.ArticleID(secret.ID, photo.MessageID)]; p.URL != "" || !strings.HasPrefix(p.Text, "عکس:") {
		t.Errorf("the private channel's photo = %+v, want its caption and no url", p)
	}

	// An edit replaces the article.
	edited := strings.Replace(channelNews, "کرمان", "یزد", 1)
	fake.PushEditedChannelPost(tgbotapi.Message{MessageID: post.MessageID, Date: post.Date, Chat: &news, Text: edited})
	rig.until(t, func(arts map[string]corpus.Article) bool { return arts[a.ID].Text == edited })
	if n := len(fake.Messages(news.ID)) + len(fake.Messages(secret.ID)); n != 0 {
		t.Errorf("the bot sent %d messages to channels", n)
	}

	// Removed as admin: the channel's posts leave the corpus.
	fake.PushBotMember(news, user(1), "administrator", "left")
	rig.until(t, func(arts map[string]corpus.Article) bool { return len(arts) == 1 })
}

func TestChannelPostsOfUnlistedChannelsAreIgnored(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	listed := tgbotapi.Chat{ID: -1001, Title: "فهرست‌شده", UserName: "listed"}
	other := tgbotapi.Chat{ID: -1002, Title: "دیگر", UserName: "other"}
	rig := startChannelBot(t, fake, t.TempDir(), listed.ID)
	fake.PushChannelPost(tgbotapi.Message{Chat: &other, Text: channelNews})
	fake.PushChannelPost(tgbotapi.Message{Chat: &listed, Text: channelNews})
	rig.waitSync(t)
	arts := rig.articles(t)
	if len(arts) != 1 || arts[channel.ArticleID(listed.ID, 2)].Source != "فهرست‌شده" {
		t.Errorf("articles = %+v, want the listed channel's post only", arts)
	}
}

func TestChannelSyncsAreCoalesced(t *testing.T) {
	var syncs atomic.Int64
	ch := chat.New(&echoAnswerer{}, testLogger(t), chat.Options{Reload: func(context.Context) (retrieval.Report, error) {
		syncs.Add(1)
		return retrieval.Report{}, nil
	}})
	b := New(nil, tgbotapi.User{}, ch, testLogger(t), Options{ChannelSyncDelay: time.Millisecond})
	for range 5 {
		b.kickChannelSync()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.channelSyncLoop(ctx); close(done) }()
	for deadline := time.Now().Add(waitFor); syncs.Load() == 0 && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
	}
	cancel()
	<-done
	if syncs.Load() != 1 {
		t.Errorf("%d syncs for five posts made before the loop ran, want 1", syncs.Load())
	}
}

func TestChannelsStatusIsCheckedAtStart(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	dir := t.TempDir()
	store, _, err := channel.Open(dir, channel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gone := channel.Chat{ID: -1007, Title: "رفته", Username: "gone"}
	kept := channel.Chat{ID: -1008, Title: "مانده", Username: "kept"}
	for _, c := range []channel.Chat{gone, kept} {
		if _, err := store.Put(channel.Post{Chat: c, MessageID: 1, Date: time.Now(), Text: channelNews}); err != nil {
			t.Fatal(err)
		}
	}
	// The bot was removed from one channel while it was not running.
	fake.SetChatAdmins(kept.ID, fake.BotUser().ID)
	rig := startChannelBot(t, fake, dir)
	rig.waitSync(t)
	list := rig.store.List()
	if len(list) != 2 || list[0].ID != kept.ID || !list[0].Counted || list[1].ID != gone.ID || list[1].Admin {
		t.Errorf("List = %+v, want the channel the bot left set aside", list)
	}
}

func TestChannelsCommandIsRegisteredForAdmins(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	startChannelBot(t, fake, t.TempDir())
	calls, err := fake.WaitCalls(context.Background(), "setMyCommands", 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		scope, cmds := c.Params.Get("scope"), c.Params.Get("commands")
		admin := strings.Contains(scope, `"chat_id":1`)
		if admin != strings.Contains(cmds, `"channels"`) {
			t.Errorf("scope %s: commands %s", scope, cmds)
		}
	}
}
