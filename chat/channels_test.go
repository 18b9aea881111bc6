package chat

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus/channel"
)

func TestChannelsCommand(t *testing.T) {
	store, _, err := channel.Open(t.TempDir(), channel.Options{Only: []int64{-1001}})
	if err != nil {
		t.Fatal(err)
	}
	// 2025-10-06 06:00 UTC is 09:30 in Tehran, 14 Mehr 1404.
	at := time.Date(2025, 10, 6, 6, 0, 0, 0, time.UTC)
	for i := range 3 {
		store.Put(channel.Post{Chat: channel.Chat{ID: -1001, Title: "خبر فوری", Username: "khabarfori"}, MessageID: i + 1, Date: at.Add(-time.Duration(i) * time.Hour), Text: channelNews})
	}
	store.Put(channel.Post{Chat: channel.Chat{ID: -1002, Title: "دیگر"}, MessageID: 1, Date: at, Text: channelNews})
	chat := New(&echoAnswerer{}, testLogger(t), Options{Channels: store})

	got := chat.Handle(context.Background(), Message{ChatID: 1, UserID: 1, Text: "/channels", Admin: true}).PlainText()
	for _, want := range []string{"خبر فوری", "@khabarfori", "-1001", "۳ پست", "۱۴ مهر ۱۴۰۴", "۰۹:۳۰", "به وقت تهران", "دیگر", "SOURCE_CHANNEL_IDS"} {
		if !strings.Contains(got, want) {
			t.Errorf("/channels lacks %q:\n%s", want, got)
		}
	}
	if i, j := strings.Index(got, "خبر فوری"), strings.Index(got, "دیگر"); i > j {
		t.Errorf("the counted channel should come first:\n%s", got)
	}
	if got := chat.Handle(context.Background(), Message{ChatID: 5, UserID: 5, Text: "/channels"}).PlainText(); got != MsgAdminOnly {
		t.Errorf("non-admin: %q", got)
	}
	if got := chat.Handle(context.Background(), Message{ChatID: -100, UserID: 1, Text: "/channels", Admin: true}).PlainText(); got != msgChannelsPrivateOnly {
		t.Errorf("admin in a group: %q", got)
	}
	if got := New(&echoAnswerer{}, testLogger(t), Options{}).Handle(context.Background(), Message{ChatID: 1, UserID: 1, Text: "/channels", Admin: true}).PlainText(); got != msgChannelsUnavailable {
		t.Errorf("without channels: %q", got)
	}
	if !New(&echoAnswerer{}, discard(), Options{}).Known("channels") {
		t.Error("channels is not a known command")
	}
	if help := chat.Handle(context.Background(), Message{ChatID: 1, UserID: 1, Text: "/help", Admin: true}).PlainText(); !strings.Contains(help, "/channels") {
		t.Errorf("admin help lacks /channels:\n%s", help)
	}
}
