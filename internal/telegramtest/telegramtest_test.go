package telegramtest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/internal/telegramtest"
)

var (
	alice   = tgbotapi.User{ID: 42, FirstName: "Alice", UserName: "alice"}
	dm      = tgbotapi.Chat{ID: 42, Type: "private"}
	group   = tgbotapi.Chat{ID: -100123, Type: "supergroup", Title: "News"}
	timeout = 5 * time.Second
)

func newBot(t *testing.T, opts telegramtest.Options) (*telegramtest.Server, *tgbotapi.BotAPI) {
	t.Helper()
	fake := telegramtest.New(t, opts)
	bot, err := tgbotapi.NewBotAPIWithClient(fake.Token(), fake.APIEndpoint(), fake.Client())
	if err != nil {
		t.Fatalf("NewBotAPIWithClient: %v", err)
	}
	return fake, bot
}

// apiError returns err as a *tgbotapi.Error, failing the test otherwise.
func apiError(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var tgErr *tgbotapi.Error
	if !errors.As(err, &tgErr) {
		t.Fatalf("error = %v (%T), want *tgbotapi.Error", err, err)
	}
	return tgErr
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

func TestGetMe(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	want := tgbotapi.User{ID: 1000, IsBot: true, FirstName: "Khabar", UserName: "khabar_bot"}
	if !reflect.DeepEqual(bot.Self, want) {
		t.Errorf("bot.Self = %+v, want %+v", bot.Self, want)
	}
	if got := len(fake.Calls("getMe")); got != 1 {
		t.Errorf("getMe calls = %d, want 1", got)
	}
	if got, want := fake.APIEndpoint(), fake.URL()+"/bot%s/%s"; got != want {
		t.Errorf("APIEndpoint() = %q, want %q", got, want)
	}
}

func TestOptions(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{
		Token:   "999:other",
		BotUser: tgbotapi.User{CanReadAllGroupMessages: true},
	})
	bot := fake.Bot(t)
	if !bot.Self.CanReadAllGroupMessages || bot.Self.UserName != "khabar_bot" || !bot.Self.IsBot {
		t.Errorf("bot.Self = %+v, want defaults with CanReadAllGroupMessages", bot.Self)
	}
	if got, want := fake.Token(), "999:other"; got != want {
		t.Errorf("Token() = %q, want %q", got, want)
	}
}

func TestWrongToken(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	_, err := tgbotapi.NewBotAPIWithClient("1:wrong", fake.APIEndpoint(), fake.Client())
	tgErr := apiError(t, err)
	if tgErr.Code != 401 || tgErr.Message != "Unauthorized" {
		t.Errorf("error = %d %q, want 401 %q", tgErr.Code, tgErr.Message, "Unauthorized")
	}
}

func TestClientRefusesOtherHosts(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	_, err := tgbotapi.NewBotAPIWithClient(fake.Token(), tgbotapi.APIEndpoint, fake.Client())
	if err == nil || !strings.Contains(err.Error(), "refusing request") {
		t.Errorf("error = %v, want a refused request", err)
	}
}

func TestGetUpdates(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	id1 := fake.PushText(dm, alice, "one")
	id2 := fake.Push(tgbotapi.Update{Message: &tgbotapi.Message{Chat: &group, From: &alice, Text: "two"}})

	updates, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatalf("GetUpdates: %v", err)
	}
	if len(updates) != 2 {
		t.Fatalf("got %d updates, want 2", len(updates))
	}
	if got := updates[0].Message; got.Text != "one" || got.MessageID != id1.MessageID || got.Chat.ID != dm.ID || got.From.ID != alice.ID {
		t.Errorf("update 0 message = %+v, want text %q from %d in %d", got, "one", alice.ID, dm.ID)
	}
	if got := updates[1].UpdateID; got != id2 || id2 <= updates[0].UpdateID {
		t.Errorf("update 1 ID = %d, want %d, greater than %d", got, id2, updates[0].UpdateID)
	}

	// Offset confirms the first update; limit caps the answer.
	fake.PushText(dm, alice, "three")
	updates, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: updates[0].UpdateID + 1, Limit: 1})
	if err != nil {
		t.Fatalf("GetUpdates: %v", err)
	}
	if len(updates) != 1 || updates[0].UpdateID != id2 {
		t.Fatalf("got %+v, want only update %d", updates, id2)
	}
	if got := fake.PendingUpdates(); got != 2 {
		t.Errorf("PendingUpdates() = %d, want 2", got)
	}

	// Confirm everything; an empty long poll returns after its timeout.
	updates, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: id2 + 2})
	if err != nil || len(updates) != 0 {
		t.Fatalf("GetUpdates = %v, %v, want no updates", updates, err)
	}
	start := time.Now()
	updates, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: id2 + 2, Timeout: 1})
	if err != nil || len(updates) != 0 {
		t.Fatalf("GetUpdates = %v, %v, want no updates", updates, err)
	}
	if elapsed := time.Since(start); elapsed < 900*time.Millisecond || elapsed > 3*time.Second {
		t.Errorf("empty long poll took %v, want about 1s", elapsed)
	}
}

func TestLongPollReturnsEarlyOnPush(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	type result struct {
		updates []tgbotapi.Update
		err     error
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		updates, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 30})
		done <- result{updates, err}
	}()
	if err := fake.WaitPolling(waitCtx(t)); err != nil {
		t.Fatal(err)
	}
	fake.PushText(dm, alice, "wake up")
	select {
	case r := <-done:
		if r.err != nil || len(r.updates) != 1 || r.updates[0].Message.Text != "wake up" {
			t.Errorf("GetUpdates = %+v, %v, want the pushed message", r.updates, r.err)
		}
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("long poll took %v, want it to end on Push", elapsed)
		}
	case <-time.After(timeout):
		t.Fatal("long poll did not return after Push")
	}
}

func TestConcurrentPollConflict(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	done := make(chan error, 1)
	go func() {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 30})
		done <- err
	}()
	if err := fake.WaitPolling(waitCtx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Fatalf("second GetUpdates: %v", err)
	}
	select {
	case err := <-done:
		if tgErr := apiError(t, err); tgErr.Code != 409 {
			t.Errorf("first poll error code = %d, want 409", tgErr.Code)
		}
	case <-time.After(timeout):
		t.Fatal("first poll was not terminated")
	}
}

func TestCleanupEndsPendingPoll(t *testing.T) {
	polled := make(chan error, 1)
	start := time.Now()
	t.Run("bot still polling at the end", func(t *testing.T) {
		fake, bot := newBot(t, telegramtest.Options{})
		fake.FailNext("sendMessage", 1, telegramtest.Failure{Delay: time.Hour})
		go func() {
			_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 60})
			polled <- err
		}()
		go bot.Send(tgbotapi.NewMessage(dm.ID, "slow"))
		if err := fake.WaitPolling(waitCtx(t)); err != nil {
			t.Fatal(err)
		}
	})
	if elapsed := time.Since(start); elapsed > timeout {
		t.Errorf("cleanup took %v, want it to end the pending poll", elapsed)
	}
	select {
	case err := <-polled:
		if err != nil {
			t.Errorf("pending poll error = %v, want an empty answer", err)
		}
	case <-time.After(timeout):
		t.Error("pending poll did not return")
	}
}

func TestPushTextEntities(t *testing.T) {
	fake, _ := newBot(t, telegramtest.Options{})
	tests := []struct {
		name    string
		give    string
		want    []tgbotapi.MessageEntity
		wantCmd string
		wantArg string
	}{
		{
			name:    "command with bot name",
			give:    "/start@khabar_bot now",
			want:    []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: 17}},
			wantCmd: "start",
			wantArg: "now",
		},
		{
			name:    "command",
			give:    "/news",
			want:    []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: 5}},
			wantCmd: "news",
		},
		{
			name: "mention after persian text",
			give: "سلام @khabar_bot",
			want: []tgbotapi.MessageEntity{{Type: "mention", Offset: 5, Length: 11}},
		},
		{
			name: "mention after emoji",
			give: "😀 @khabar_bot?",
			want: []tgbotapi.MessageEntity{{Type: "mention", Offset: 3, Length: 11}},
		},
		{
			name: "email is not a mention",
			give: "me@example.com",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := fake.PushText(group, alice, tt.give)
			if !reflect.DeepEqual(msg.Entities, tt.want) {
				t.Errorf("entities = %+v, want %+v", msg.Entities, tt.want)
			}
			if got := msg.Command(); got != tt.wantCmd {
				t.Errorf("Command() = %q, want %q", got, tt.wantCmd)
			}
			if got := msg.CommandArguments(); got != tt.wantArg {
				t.Errorf("CommandArguments() = %q, want %q", got, tt.wantArg)
			}
		})
	}
}

func TestSendMessage(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	in := fake.PushText(dm, alice, "hi")

	msg := tgbotapi.NewMessage(dm.ID, "<b>Hello</b> &amp; welcome")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyToMessageID = in.MessageID
	got, err := bot.Send(msg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got.Text != "Hello & welcome" || got.Chat.ID != dm.ID || got.From.ID != 1000 || got.MessageID <= in.MessageID {
		t.Errorf("Send = %+v, want visible text from the bot in chat %d", got, dm.ID)
	}
	if got.ReplyToMessage == nil || got.ReplyToMessage.Text != "hi" {
		t.Errorf("ReplyToMessage = %+v, want the pushed message", got.ReplyToMessage)
	}
	if len(got.Entities) != 1 || got.Entities[0].Type != "bold" {
		t.Errorf("Entities = %+v, want one bold entity", got.Entities)
	}

	// Rejected messages are recorded as calls but not as messages.
	tests := []struct {
		name      string
		text      string
		parseMode string
		reply     int
		want      string
	}{
		{name: "invalid HTML", text: "<b>bold", parseMode: "HTML", want: "Bad Request: can't parse entities: Can't find end tag"},
		{name: "bare ampersand", text: "Q&A", parseMode: "HTML", want: "can't parse entities"},
		{name: "empty", text: "", want: "Bad Request: message text is empty"},
		{name: "empty after parsing", text: "<b> </b>", parseMode: "HTML", want: "Bad Request: message text is empty"},
		{name: "too long", text: strings.Repeat("a", 4097), want: "Bad Request: message is too long"},
		{name: "too long in emoji", text: strings.Repeat("😀", 2049), want: "Bad Request: message is too long"},
		{name: "invalid UTF-8", text: "bad \xff", want: "Bad Request: strings must be encoded in UTF-8"},
		{name: "unknown reply", text: "x", reply: 9999, want: "Bad Request: message to be replied not found"},
		{name: "unsupported parse mode", text: "x", parseMode: "XML", want: "Bad Request: unsupported parse_mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := tgbotapi.NewMessage(dm.ID, tt.text)
			msg.ParseMode = tt.parseMode
			msg.ReplyToMessageID = tt.reply
			_, err := bot.Send(msg)
			tgErr := apiError(t, err)
			if tgErr.Code != 400 || !strings.Contains(tgErr.Message, tt.want) {
				t.Errorf("error = %d %q, want 400 containing %q", tgErr.Code, tgErr.Message, tt.want)
			}
		})
	}

	// Exactly 4096 visible characters are fine, markup excluded.
	long := tgbotapi.NewMessage(dm.ID, "<i>"+strings.Repeat("a", 4096)+"</i>")
	long.ParseMode = tgbotapi.ModeHTML
	if _, err := bot.Send(long); err != nil {
		t.Errorf("Send 4096 characters: %v", err)
	}

	msgs := fake.Messages(dm.ID)
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	first := msgs[0]
	if first.Text != "<b>Hello</b> &amp; welcome" || first.Visible != "Hello & welcome" || first.ParseMode != "HTML" ||
		first.ReplyToMessageID != in.MessageID || first.MessageID != got.MessageID || first.Kind != "text" {
		t.Errorf("Messages()[0] = %+v, want the HTML message", first)
	}
	if got, want := len(fake.Calls("sendMessage")), 2+len(tests); got != want {
		t.Errorf("sendMessage calls = %d, want %d", got, want)
	}
	failed := fake.Calls("sendMessage")[1]
	if failed.OK || failed.ErrorCode != 400 || failed.Params.Get("text") != "<b>bold" {
		t.Errorf("failed call = %+v, want the recorded 400", failed)
	}
}

func TestFailNextRetryAfter(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	fake.FailNext("sendMessage", 1, telegramtest.Failure{Status: 429, RetryAfter: 2})

	_, err := bot.Send(tgbotapi.NewMessage(dm.ID, "hi"))
	var tgErr *tgbotapi.Error
	if !errors.As(err, &tgErr) {
		t.Fatalf("error = %v, want *tgbotapi.Error", err)
	}
	if tgErr.RetryAfter != 2 || tgErr.Code != 429 || tgErr.Message != "Too Many Requests: retry after 2" {
		t.Errorf("error = %+v, want 429 with RetryAfter 2", tgErr)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(dm.ID, "hi")); err != nil {
		t.Errorf("second Send: %v, want success", err)
	}
	if got := len(fake.Messages(dm.ID)); got != 1 {
		t.Errorf("got %d messages, want 1", got)
	}
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name     string
		give     telegramtest.Failure
		wantCode int // 0: any non-API error
		wantDesc string
	}{
		{name: "server error", give: telegramtest.Failure{Status: 500}, wantCode: 500, wantDesc: "Internal Server Error"},
		{name: "description", give: telegramtest.Failure{Description: "Bad Request: chat not found"}, wantCode: 400, wantDesc: "Bad Request: chat not found"},
		{name: "blocked", give: telegramtest.Failure{Status: 403}, wantCode: 403, wantDesc: "Forbidden: bot was blocked by the user"},
		{name: "invalid JSON body", give: telegramtest.Failure{Body: "{not json"}},
		{name: "drop", give: telegramtest.Failure{Drop: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, bot := newBot(t, telegramtest.Options{})
			fake.FailNext("", 1, tt.give)
			_, err := bot.Send(tgbotapi.NewMessage(dm.ID, "hi"))
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			var tgErr *tgbotapi.Error
			isAPI := errors.As(err, &tgErr)
			if tt.wantCode == 0 {
				if isAPI {
					t.Errorf("error = %v, want a transport or decoding error", err)
				}
			} else if !isAPI || tgErr.Code != tt.wantCode || tgErr.Message != tt.wantDesc {
				t.Errorf("error = %v, want %d %q", err, tt.wantCode, tt.wantDesc)
			}
			if _, err := bot.Send(tgbotapi.NewMessage(dm.ID, "again")); err != nil {
				t.Errorf("next Send: %v, want success", err)
			}
			if got := len(fake.Messages(dm.ID)); got != 1 {
				t.Errorf("got %d messages, want 1", got)
			}
			if calls := fake.Calls("sendMessage"); len(calls) != 2 || calls[0].OK {
				t.Errorf("calls = %+v, want the failed call then the good one", calls)
			}
		})
	}
}

func TestDropRecordsCall(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	fake.FailNext("sendChatAction", 2, telegramtest.Failure{Drop: true})
	for range 2 {
		if _, err := bot.Request(tgbotapi.NewChatAction(dm.ID, tgbotapi.ChatTyping)); err == nil {
			t.Error("Request succeeded, want a dropped connection")
		}
	}
	calls := fake.Calls("sendChatAction")
	if len(calls) != 2 || !calls[0].Dropped || !calls[1].Dropped {
		t.Errorf("calls = %+v, want 2 dropped calls", calls)
	}
}

func TestDelay(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	client := fake.Client()
	client.Timeout = 200 * time.Millisecond
	bot, err := tgbotapi.NewBotAPIWithClient(fake.Token(), fake.APIEndpoint(), client)
	if err != nil {
		t.Fatalf("NewBotAPIWithClient: %v", err)
	}

	// A delay alone answers normally, late.
	fake.FailNext("sendMessage", 1, telegramtest.Failure{Delay: 50 * time.Millisecond})
	start := time.Now()
	if _, err := bot.Send(tgbotapi.NewMessage(dm.ID, "slow")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if elapsed := time.Since(start); elapsed < 50*time.Millisecond {
		t.Errorf("Send took %v, want at least 50ms", elapsed)
	}

	// A delay longer than the client's timeout ends early on the server too.
	fake.FailNext("sendMessage", 1, telegramtest.Failure{Delay: time.Hour, Status: 500})
	if _, err := bot.Send(tgbotapi.NewMessage(dm.ID, "too slow")); err == nil {
		t.Fatal("Send succeeded, want a client timeout")
	}
	calls, err := fake.WaitCalls(waitCtx(t), "sendMessage", 2)
	if err != nil {
		t.Fatal(err)
	}
	if !calls[1].Dropped {
		t.Errorf("timed-out call = %+v, want Dropped", calls[1])
	}
}

func TestEditHistory(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	sent, err := bot.Send(tgbotapi.NewMessage(group.ID, "thinking…"))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if sent.Chat.Type != "supergroup" {
		t.Errorf("chat type = %q, want supergroup", sent.Chat.Type)
	}
	for _, text := range []string{"<b>draft</b>", "<b>final</b> answer"} {
		edit := tgbotapi.NewEditMessageText(group.ID, sent.MessageID, text)
		edit.ParseMode = tgbotapi.ModeHTML
		got, err := bot.Send(edit)
		if err != nil {
			t.Fatalf("edit %q: %v", text, err)
		}
		if got.EditDate == 0 || got.MessageID != sent.MessageID {
			t.Errorf("edit result = %+v, want the edited message", got)
		}
	}

	tests := []struct {
		name string
		id   int
		text string
		mode string
		want string
	}{
		{name: "not modified", id: sent.MessageID, text: "<b>final</b> answer", mode: "HTML", want: "Bad Request: message is not modified"},
		{name: "unknown message", id: 9999, text: "x", want: "Bad Request: message to edit not found"},
		{name: "invalid HTML", id: sent.MessageID, text: "<b>x", mode: "HTML", want: "Bad Request: can't parse entities"},
		{name: "empty", id: sent.MessageID, text: "", want: "Bad Request: message text is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edit := tgbotapi.NewEditMessageText(group.ID, tt.id, tt.text)
			edit.ParseMode = tt.mode
			_, err := bot.Send(edit)
			tgErr := apiError(t, err)
			if tgErr.Code != 400 || !strings.HasPrefix(tgErr.Message, tt.want) {
				t.Errorf("error = %d %q, want 400 %q", tgErr.Code, tgErr.Message, tt.want)
			}
		})
	}

	msgs := fake.Messages(group.ID)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	wantEdits := []string{"<b>draft</b>", "<b>final</b> answer"}
	if got := msgs[0]; got.Text != "<b>final</b> answer" || got.Visible != "final answer" || !reflect.DeepEqual(got.Edits, wantEdits) || got.EditTime.IsZero() {
		t.Errorf("message = %+v, want text %q with edits %q", got, "<b>final</b> answer", wantEdits)
	}
}

func TestFiles(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	fake.AddFile("voice-1", "voice/file_1.oga", []byte("OggS..."))

	file, err := bot.GetFile(tgbotapi.FileConfig{FileID: "voice-1"})
	if err != nil {
		t.Fatalf("GetFile: %v", err)
	}
	want := tgbotapi.File{FileID: "voice-1", FileUniqueID: "u-voice-1", FileSize: 7, FilePath: "voice/file_1.oga"}
	if file != want {
		t.Errorf("GetFile = %+v, want %+v", file, want)
	}

	tests := []struct {
		name       string
		url        string
		wantStatus int
		wantBody   string
	}{
		{name: "file", url: fake.FileURL(file.FilePath), wantStatus: 200, wantBody: "OggS..."},
		{name: "built by hand", url: fake.URL() + "/file/bot" + fake.Token() + "/" + file.FilePath, wantStatus: 200, wantBody: "OggS..."},
		{name: "unknown path", url: fake.FileURL("voice/nope.oga"), wantStatus: 404},
		{name: "wrong token", url: fake.URL() + "/file/bot1:bad/" + file.FilePath, wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := fake.Client().Get(tt.url)
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus == 200 && string(body) != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
		})
	}
	if got := len(fake.Downloads()); got != len(tests) {
		t.Errorf("Downloads() has %d entries, want %d", got, len(tests))
	}

	_, err = bot.GetFile(tgbotapi.FileConfig{FileID: "nope"})
	if tgErr := apiError(t, err); tgErr.Message != "Bad Request: invalid file_id" {
		t.Errorf("error = %q, want %q", tgErr.Message, "Bad Request: invalid file_id")
	}

	fake.AddFile("big", "documents/big.bin", make([]byte, 20<<20+1))
	_, err = bot.GetFile(tgbotapi.FileConfig{FileID: "big"})
	if tgErr := apiError(t, err); tgErr.Message != "Bad Request: file is too big" {
		t.Errorf("error = %q, want %q", tgErr.Message, "Bad Request: file is too big")
	}

	fake.FailNext(telegramtest.DownloadMethod, 1, telegramtest.Failure{Status: 502})
	resp, err := fake.Client().Get(fake.FileURL(file.FilePath))
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 502 {
		t.Errorf("status = %d, want 502", resp.StatusCode)
	}
}

func TestSendDocument(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	doc := tgbotapi.NewDocument(dm.ID, tgbotapi.FileBytes{Name: "report.txt", Bytes: []byte("report")})
	doc.Caption = "<i>daily</i>"
	doc.ParseMode = tgbotapi.ModeHTML
	got, err := bot.Send(doc)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got.Document == nil || got.Document.FileName != "report.txt" || got.Caption != "daily" {
		t.Fatalf("Send = %+v, want a document with caption", got)
	}

	// The uploaded file can be fetched back, and resent by file_id.
	file, err := bot.GetFile(tgbotapi.FileConfig{FileID: got.Document.FileID})
	if err != nil {
		t.Fatalf("GetFile: %v", err)
	}
	if file.FileSize != 6 {
		t.Errorf("FileSize = %d, want 6", file.FileSize)
	}
	if _, err := bot.Send(tgbotapi.NewDocument(dm.ID, tgbotapi.FileID(got.Document.FileID))); err != nil {
		t.Errorf("resend by file_id: %v", err)
	}

	msgs := fake.Messages(dm.ID)
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	if m := msgs[0]; m.Kind != "document" || m.Upload == nil || string(m.Upload.Content) != "report" || m.Upload.Name != "report.txt" || m.Text != "<i>daily</i>" {
		t.Errorf("Messages()[0] = %+v, want the uploaded document", m)
	}
	if m := msgs[1]; m.FileRef != got.Document.FileID || m.Upload != nil {
		t.Errorf("Messages()[1] = %+v, want a resend by file_id", m)
	}
}

func TestConcurrentSends(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := bot.Send(tgbotapi.NewMessage(group.ID, fmt.Sprintf("message %d", i))); err != nil {
				t.Errorf("Send %d: %v", i, err)
			}
			fake.Messages(group.ID)
			fake.Calls("")
		})
	}
	msgs, err := fake.WaitMessages(waitCtx(t), group.ID, n)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	seen := map[int]bool{}
	for _, m := range msgs {
		if seen[m.MessageID] {
			t.Errorf("message ID %d used twice", m.MessageID)
		}
		seen[m.MessageID] = true
	}
	if len(seen) != n {
		t.Errorf("got %d distinct messages, want %d", len(seen), n)
	}
}

func TestWaitTimesOut(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := fake.WaitMessages(ctx, dm.ID, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitMessages error = %v, want context.DeadlineExceeded", err)
	}
	if _, err := fake.WaitCalls(ctx, "sendMessage", 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitCalls error = %v, want context.DeadlineExceeded", err)
	}
}

func TestCommandsAndActions(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	cmds := []tgbotapi.BotCommand{{Command: "start", Description: "Start"}, {Command: "news", Description: "Latest news"}}
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(cmds...)); err != nil {
		t.Fatalf("setMyCommands: %v", err)
	}
	if got := fake.Commands(); !reflect.DeepEqual(got, cmds) {
		t.Errorf("Commands() = %+v, want %+v", got, cmds)
	}
	_, err := bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Start", Description: "x"}))
	if tgErr := apiError(t, err); tgErr.Message != "Bad Request: BOT_COMMAND_INVALID" {
		t.Errorf("error = %q, want BOT_COMMAND_INVALID", tgErr.Message)
	}

	if _, err := bot.Request(tgbotapi.NewChatAction(dm.ID, tgbotapi.ChatTyping)); err != nil {
		t.Errorf("sendChatAction: %v", err)
	}
	_, err = bot.Request(tgbotapi.NewChatAction(dm.ID, "dancing"))
	if tgErr := apiError(t, err); tgErr.Code != 400 {
		t.Errorf("error code = %d, want 400", tgErr.Code)
	}
	calls, err := fake.WaitCalls(waitCtx(t), "sendChatAction", 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := calls[0].Params.Get("action"); got != "typing" {
		t.Errorf("action = %q, want typing", got)
	}
	if _, err := bot.Request(tgbotapi.LeaveChatConfig{ChatID: group.ID}); err != nil {
		t.Errorf("leaveChat: %v", err)
	}
	if got := fake.Calls("leaveChat"); len(got) != 1 || got[0].Params.Get("chat_id") != fmt.Sprint(group.ID) {
		t.Errorf("leaveChat calls = %+v, want one for %d", got, group.ID)
	}
}

func TestWebhook(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	_, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "https://khabar.example/hook", "secret_token": "s3cret_-X"})
	if err != nil {
		t.Fatalf("setWebhook: %v", err)
	}
	if u, secret := fake.Webhook(); u != "https://khabar.example/hook" || secret != "s3cret_-X" {
		t.Errorf("Webhook() = %q, %q, want the url and secret", u, secret)
	}

	// getUpdates conflicts with an active webhook.
	_, err = bot.GetUpdates(tgbotapi.UpdateConfig{})
	if tgErr := apiError(t, err); tgErr.Code != 409 {
		t.Errorf("getUpdates error code = %d, want 409", tgErr.Code)
	}

	// A webhook delivery is built locally and served to the bot's handler.
	req, err := fake.NewWebhookRequest(tgbotapi.Update{Message: &tgbotapi.Message{Chat: &dm, From: &alice, Text: "/start"}})
	if err != nil {
		t.Fatalf("NewWebhookRequest: %v", err)
	}
	var gotSecret, gotText string
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotSecret = r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		update, err := bot.HandleUpdate(r)
		if err != nil {
			t.Errorf("HandleUpdate: %v", err)
			return
		}
		gotText = update.Message.Text
	})
	handler.ServeHTTP(httptest.NewRecorder(), req)
	if gotSecret != "s3cret_-X" || gotText != "/start" {
		t.Errorf("webhook got secret %q text %q, want %q %q", gotSecret, gotText, "s3cret_-X", "/start")
	}

	_, err = bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "http://insecure.example/hook"})
	if tgErr := apiError(t, err); tgErr.Code != 400 {
		t.Errorf("http webhook error code = %d, want 400", tgErr.Code)
	}

	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatalf("deleteWebhook: %v", err)
	}
	if u, _ := fake.Webhook(); u != "" {
		t.Errorf("Webhook() url = %q after deleteWebhook, want empty", u)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Errorf("getUpdates after deleteWebhook: %v", err)
	}
	if calls := fake.Calls("setWebhook"); len(calls) != 2 || calls[0].Params.Get("secret_token") != "s3cret_-X" {
		t.Errorf("setWebhook calls = %+v, want 2 with the secret recorded", calls)
	}
}

func TestChatAdmins(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	fake.SetChatAdmins(group.ID, alice.ID, 1000)

	tests := []struct {
		name string
		user int64
		want string
	}{
		{name: "admin", user: alice.ID, want: "administrator"},
		{name: "bot admin", user: 1000, want: "administrator"},
		{name: "member", user: 7, want: "member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: group.ID, UserID: tt.user}})
			if err != nil {
				t.Fatalf("GetChatMember: %v", err)
			}
			if m.Status != tt.want || m.User.ID != tt.user {
				t.Errorf("GetChatMember = %s %+v, want %s for %d", m.Status, m.User, tt.want, tt.user)
			}
		})
	}

	admins, err := bot.GetChatAdministrators(tgbotapi.ChatAdministratorsConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: group.ID}})
	if err != nil {
		t.Fatalf("GetChatAdministrators: %v", err)
	}
	if len(admins) != 2 || admins[0].User.ID != alice.ID || admins[1].User.ID != 1000 {
		t.Errorf("GetChatAdministrators = %+v, want alice and the bot", admins)
	}
}

func TestUnknownMethodAndHandle(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	_, err := bot.MakeRequest("sendDice", nil)
	if tgErr := apiError(t, err); tgErr.Code != 404 || tgErr.Message != "Not Found: method not found" {
		t.Errorf("error = %d %q, want 404 %q", tgErr.Code, tgErr.Message, "Not Found: method not found")
	}

	fake.Handle("sendDice", func(c telegramtest.Call) (any, *telegramtest.Failure) {
		if c.Params.Get("chat_id") == "" {
			return nil, &telegramtest.Failure{Description: "Bad Request: chat_id is empty"}
		}
		return tgbotapi.Message{MessageID: 1, Dice: &tgbotapi.Dice{Emoji: "🎲", Value: 6}}, nil
	})
	got, err := bot.Send(tgbotapi.NewDice(dm.ID))
	if err != nil {
		t.Fatalf("Send dice: %v", err)
	}
	if got.Dice == nil || got.Dice.Value != 6 {
		t.Errorf("Send dice = %+v, want value 6", got)
	}
	_, err = bot.MakeRequest("sendDice", nil)
	if tgErr := apiError(t, err); tgErr.Code != 400 {
		t.Errorf("error code = %d, want 400", tgErr.Code)
	}
}

func TestJSONAndQueryParams(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	endpoint := fmt.Sprintf(fake.APIEndpoint(), fake.Token(), "sendMessage")
	resp, err := fake.Client().Post(endpoint, "application/json", strings.NewReader(`{"chat_id":42,"text":"json"}`))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	resp.Body.Close()
	resp, err = fake.Client().Get(endpoint + "?" + url.Values{"chat_id": {"42"}, "text": {"query"}}.Encode())
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	resp.Body.Close()
	msgs := fake.Messages(42)
	if len(msgs) != 2 || msgs[0].Text != "json" || msgs[1].Text != "query" {
		t.Errorf("Messages(42) = %+v, want the json and query messages", msgs)
	}
}

func TestMaxInWindow(t *testing.T) {
	at := func(ms ...int) []telegramtest.Call {
		var calls []telegramtest.Call
		base := time.Unix(1000, 0)
		for _, m := range ms {
			calls = append(calls, telegramtest.Call{Time: base.Add(time.Duration(m) * time.Millisecond)})
		}
		return calls
	}
	tests := []struct {
		name  string
		calls []telegramtest.Call
		want  int
	}{
		{"none", nil, 0},
		{"one", at(5), 1},
		{"a second apart", at(0, 1000, 2000), 1},
		{"just inside", at(0, 999), 2},
		{"unsorted", at(1500, 0, 400, 900, 1200), 3},
		{"burst", at(0, 0, 0, 2000), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := telegramtest.MaxInWindow(tt.calls, time.Second); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestCallSentTime(t *testing.T) {
	fake, _ := newBot(t, telegramtest.Options{}) // calls getMe
	calls := fake.Calls("getMe")
	if len(calls) != 1 {
		t.Fatalf("got %d getMe calls, want 1", len(calls))
	}
	if c := calls[0]; c.Sent.IsZero() || c.Sent.After(c.Time) {
		t.Errorf("Sent %v, Time %v: want the client's send time, before the arrival", c.Sent, c.Time)
	}
}
