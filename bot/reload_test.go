package bot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/retrieval"
)

// newArticle is about something no seed mentions.
const newArticle = "date 2025-10-12\nبه گزارش ایرنا، باغ وحش کرمان روز یکشنبه از تولد دو بچه زرافه خبر داد که نام آن‌ها را بازدیدکنندگان انتخاب خواهند کرد. " +
	"مدیر باغ وحش کرمان گفت زرافه‌های تازه در سلامت کامل هستند و از هفته آینده بازدیدکنندگان می‌توانند آن‌ها را ببینند."

const newArticleQuestion = "باغ وحش کرمان درباره بچه زرافه‌ها چه گفت؟"

// slowAnswerer answers with inner after a delay and notes when each
// answer was ready.
type slowAnswerer struct {
	inner answerer
	delay time.Duration

	mu    sync.Mutex
	times []time.Time
}

func (s *slowAnswerer) Answer(ctx context.Context, req answer.Request) (answer.Answer, error) {
	time.Sleep(s.delay)
	a, err := s.inner.Answer(ctx, req)
	s.mu.Lock()
	s.times = append(s.times, time.Now())
	s.mu.Unlock()
	return a, err
}

// timedReload syncs ix with dir after a pause, noting when it ran.
type timedReload struct {
	ix    *retrieval.Index
	dir   string
	pause time.Duration

	mu         sync.Mutex
	start, end time.Time
}

func (r *timedReload) Reload(ctx context.Context) (retrieval.Report, error) {
	r.mu.Lock()
	r.start = time.Now()
	r.mu.Unlock()
	if !sleep(ctx, r.pause) {
		return retrieval.Report{}, ctx.Err()
	}
	rep, err := r.ix.Sync(ctx, os.DirFS(r.dir))
	r.mu.Lock()
	r.end = time.Now()
	r.mu.Unlock()
	return rep, err
}

func TestAdminReloadWhileAnswering(t *testing.T) {
	dir := copySeeds(t, 6)
	emb := retrieval.NewLocalEmbedder(256)
	ix := retrieval.New(emb, emb.Identity(), retrieval.Options{Dir: t.TempDir()})
	if _, err := ix.Sync(context.Background(), os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	slow := &slowAnswerer{inner: answer.New(ix, answer.Options{}), delay: 300 * time.Millisecond}
	reload := &timedReload{ix: ix, dir: dir, pause: time.Second}
	fake := telegramtest.New(t, telegramtest.Options{})
	chat := NewChat(slow, discard(), ChatOptions{Reload: reload.Reload, Stats: ix.Stats})
	startBot(t, fake, chat, Options{Admins: []int64{1}, Workers: 8})
	admin, adminUser := privateChat(1), user(1)

	if got := visible(exchange(t, fake, privateChat(2), user(2), "/reload")[0]); got != msgAdminOnly {
		t.Fatalf("/reload by a reader: got %q, want %q", got, msgAdminOnly)
	}
	if err := os.WriteFile(filepath.Join(dir, "zz_new.txt"), []byte(newArticle), 0o644); err != nil {
		t.Fatal(err)
	}
	questions := []string{"وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟", "قیمت دلار چند است؟", newArticleQuestion, "خبر تازه چیست؟"}
	for i := range 20 {
		if i == 10 {
			fake.PushText(admin, adminUser, "/reload")
		}
		fake.PushText(privateChat(int64(100+i)), user(int64(100+i)), questions[i%len(questions)])
	}

	first := waitMessages(t, fake, admin.ID, 1)[0]
	if initial(first) != msgReloading { // the report may have replaced it already
		t.Fatalf("first reply to /reload: got %q, want %q", initial(first), msgReloading)
	}
	report := visible(waitEdits(t, fake, admin.ID, first.MessageID, 1))
	for _, want := range []string{msgReloadDone, msgReportAdded + ": ", msgSeconds} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, msgReportAdded+": ۰،") {
		t.Errorf("the report adds nothing:\n%s", report)
	}
	for i := range 20 {
		msgs := waitMessages(t, fake, int64(100+i), 1)
		if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Text, rlm) {
			t.Errorf("chat %d: got %q", 100+i, visibles(msgs))
		}
	}
	// Questions were answered while the reload ran.
	reload.mu.Lock()
	start, end := reload.start, reload.end
	reload.mu.Unlock()
	slow.mu.Lock()
	during := 0
	for _, at := range slow.times {
		if at.After(start) && at.Before(end) {
			during++
		}
	}
	slow.mu.Unlock()
	if during == 0 {
		t.Errorf("no question was answered during the reload (%v–%v)", start, end)
	}
	// The new article is found.
	got := exchange(t, fake, privateChat(100), user(100), newArticleQuestion)
	if text := visible(got[0]); !strings.Contains(text, "زرافه") || !strings.Contains(text, "ایرنا") {
		t.Errorf("answer after the reload: got %q, want the new article", text)
	}
}

func TestReloaderCoalesces(t *testing.T) {
	var calls atomic.Int64
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	r := &reloader{sync: func(ctx context.Context) (retrieval.Report, error) {
		n := calls.Add(1)
		entered <- struct{}{}
		<-release
		return retrieval.Report{Articles: int(n)}, nil
	}}
	results := make(chan int, 10)
	run := func() {
		rep, err := r.Reload(context.Background())
		if err != nil {
			t.Error(err)
		}
		results <- rep.Articles
	}
	go run()
	<-entered // the first sync runs
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(run)
	}
	// Let the four join the next run before the first ends.
	for deadline := time.Now().Add(waitFor); ; time.Sleep(time.Millisecond) {
		r.mu.Lock()
		queued := r.next != nil
		r.mu.Unlock()
		if queued || time.Now().After(deadline) {
			break
		}
	}
	time.Sleep(20 * time.Millisecond)
	release <- struct{}{} // first sync ends
	<-entered             // the second starts
	release <- struct{}{}
	wg.Wait()
	got := []int{<-results, <-results, <-results, <-results, <-results}
	want := map[int]int{1: 1, 2: 4}
	count := map[int]int{}
	for _, g := range got {
		count[g]++
	}
	if fmt.Sprint(count) != fmt.Sprint(want) {
		t.Errorf("reports: got %v, want one from the first sync and four from the second", got)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("got %d syncs, want 2", n)
	}
}

func TestReportReply(t *testing.T) {
	rep := retrieval.Report{Articles: 3, Chunks: 9, Added: 2, Removed: 1, Unchanged: 6, Embedded: 2, Duration: 1500 * time.Millisecond,
		Problems: []corpus.Problem{{Path: "a.jsonl", Line: 3, Reason: "malformed JSON: <x>", Skipped: true}, {Path: "b.txt", Reason: "bad date", Skipped: false}}}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"done", nil, []string{msgReloadDone, "۱.۵", "افزوده: ۲", "حذف‌شده: ۱", msgReportSkipped + " (۱)", "a.jsonl:3: malformed JSON: <x>", msgReportRepaired + " (۱)"}},
		{"no articles", fmt.Errorf("load: %w", corpus.ErrNoArticles), []string{msgReloadFailed, msgReloadNoArticles, "a.jsonl:3"}},
		{"failed", errors.New("disk on fire"), []string{msgReloadFailed}},
		{"interrupted", context.Canceled, []string{msgReloadInterrupted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reportReply(rep, tt.err)
			if err := telegramtest.ValidateHTML(r.HTML); err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.want {
				if !strings.Contains(r.Text, want) {
					t.Errorf("report lacks %q:\n%s", want, r.Text)
				}
			}
			if strings.Contains(r.Text, "disk on fire") {
				t.Errorf("an operator error reached the admin: %s", r.Text)
			}
		})
	}
}

func TestAdminUploadsArticles(t *testing.T) {
	dir := copySeeds(t, 3)
	ix := seedIndex(t, dir)
	reload := func(ctx context.Context) (retrieval.Report, error) { return ix.Sync(ctx, os.DirFS(dir)) }
	fake := telegramtest.New(t, telegramtest.Options{})
	chat := NewChat(answer.New(ix, answer.Options{}), discard(), ChatOptions{Reload: reload, SeedsDir: dir, MaxUploadBytes: 4096})
	startBot(t, fake, chat, Options{Admins: []int64{1}, NoPacing: true})
	admin, adminUser := privateChat(1), user(1)
	reader, readerUser := privateChat(2), user(2)
	fake.AddFile("doc-1", "documents/file_1.txt", []byte(newArticle))
	fake.AddFile("empty", "documents/empty.txt", []byte("  \n"))
	fake.AddFile("lines", "documents/file_2.jsonl", []byte(`{"id":"j1","title":"خبر","text":"متن خبر اول درباره بازار.","source":"ایسنا","date":"2025-10-01"}`+"\nnot json\n"))
	doc := func(chat tgbotapi.Chat, from tgbotapi.User, fileID, name string, size int) tgbotapi.Message {
		return tgbotapi.Message{Chat: &chat, From: &from, Document: &tgbotapi.Document{FileID: fileID, FileName: name, FileSize: size}}
	}

	// A sender's path is never trusted: the file is named by its content.
	msgs := exchangeMessage(t, fake, doc(admin, adminUser, "doc-1", "../../../etc/passwd.txt", len(newArticle)))
	if !strings.HasPrefix(initial(msgs[0]), strings.SplitN(msgUploadSaving, "(", 2)[0]) { // the report may have replaced it already
		t.Fatalf("upload: got %q", initial(msgs[0]))
	}
	report := visible(waitEdits(t, fake, admin.ID, msgs[0].MessageID, 1))
	if !strings.Contains(report, msgReloadDone) || !strings.Contains(report, "uploads/") {
		t.Errorf("upload report: %q", report)
	}
	saved, _ := filepath.Glob(filepath.Join(dir, "uploads", "*"))
	if len(saved) != 1 || !regexp.MustCompile(`^[0-9a-f]{16}\.txt$`).MatchString(filepath.Base(saved[0])) {
		t.Fatalf("saved files: %q", saved)
	}
	if data, _ := os.ReadFile(saved[0]); string(data) != newArticle {
		t.Errorf("saved content differs")
	}
	if got := fake.Downloads(); len(got) != 1 || got[0] != "documents/file_1.txt" {
		t.Errorf("downloads: %q", got)
	}
	if text := visible(exchange(t, fake, reader, readerUser, newArticleQuestion)[0]); !strings.Contains(text, "زرافه") {
		t.Errorf("the uploaded article is not found: %q", text)
	}

	tests := []struct {
		name string
		give tgbotapi.Message
		want string
	}{
		{"not an admin", doc(reader, readerUser, "doc-1", "a.txt", len(newArticle)), msgUploadRefused},
		{"wrong type", doc(admin, adminUser, "doc-1", "a.pdf", len(newArticle)), msgUploadBadType},
		{"too big", doc(admin, adminUser, "doc-1", "a.txt", 5000), fmt.Sprintf(msgUploadTooBig, "۴")},
		{"no article", doc(admin, adminUser, "empty", "a.md", 3), msgUploadInvalid},
		{"same file again", doc(admin, adminUser, "doc-1", "again.txt", len(newArticle)), msgUploadDuplicate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := visible(exchangeMessage(t, fake, tt.give)[0]); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := fake.Downloads(); len(got) != 3 {
		t.Errorf("downloads: got %q, want none for the refused files", got)
	}

	// A jsonl file with a bad line is added, and the report says which.
	msgs = exchangeMessage(t, fake, doc(admin, adminUser, "lines", "wire.jsonl", 200))
	report = visible(waitEdits(t, fake, admin.ID, msgs[0].MessageID, 1))
	if !strings.Contains(report, msgReloadDone) || !strings.Contains(report, ".jsonl:2") {
		t.Errorf("jsonl report: %q", report)
	}
}

// TestReportReplySnapshotNotSaved: a reload whose snapshot was not saved
// says whether a previous one is kept, never claiming one that is not.
func TestReportReplySnapshotNotSaved(t *testing.T) {
	tests := []struct {
		name       string
		kept       bool
		want, deny string
	}{
		{"a previous snapshot", true, msgReportSnapshotKept, msgReportSnapshotNone},
		{"none", false, msgReportSnapshotNone, msgReportSnapshotKept},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := retrieval.Report{Articles: 1, Chunks: 1, SnapshotErr: errors.New("no space left on device"), SnapshotKept: tt.kept}
			r := reportReply(rep, nil)
			if !strings.Contains(r.Text, tt.want) || strings.Contains(r.Text, tt.deny) {
				t.Errorf("got %q, want %q and not %q", r.Text, tt.want, tt.deny)
			}
		})
	}
}
