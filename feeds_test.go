package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/retrieval"
)

func TestFeedConfigErrorsNameTheVariable(t *testing.T) {
	for _, tc := range []struct{ key, value string }{
		{"FEEDS", "ftp://example.ir/rss"},
		{"FEEDS", filepath.Join(t.TempDir(), "missing.txt")},
		{"FEED_INTERVAL", "0s"},
		{"FEED_INTERVAL", "soon"},
		{"MAX_ARTICLE_AGE", "-1h"},
	} {
		_, _, err := runCmd(t, testEnv(t, tc.key, tc.value), "", "config")
		if err == nil || !strings.Contains(err.Error(), tc.key+":") {
			t.Errorf("%s=%s: got %v, want an error naming %s", tc.key, tc.value, err, tc.key)
		}
	}
	cfg := Config{Feeds: "https://news.example.ir/rss", FeedInterval: time.Minute}
	if errs := cfg.validateFeeds(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "FEEDS:") || !strings.Contains(errs[0].Error(), "DATA_DIR") {
		t.Errorf("FEEDS without DATA_DIR: %v", errs)
	}
	list := filepath.Join(t.TempDir(), "feeds.txt")
	os.WriteFile(list, []byte("# outlets\nhttps://a.example.ir/rss خبرگزاری الف\n"), 0o644)
	out, _, err := runCmd(t, testEnv(t, "FEEDS", list+",https://b.example.ir/atom", "MAX_ARTICLE_AGE", "720h"), "", "config")
	if err != nil || !strings.Contains(out, "FEED_INTERVAL=10m0s") || !strings.Contains(out, "MAX_ARTICLE_AGE=720h0m0s") {
		t.Errorf("a file and a URL: %v\n%s", err, out)
	}
}

// TestCorpusMountsTheFeeds: the corpus is the seeds and the feeds' stored
// articles, named feeds/<file>; a seeds entry of that name is hidden, and
// a feeds folder that does not exist yet is no error.
func TestCorpusMountsTheFeeds(t *testing.T) {
	data := t.TempDir()
	cfg := Config{DataDir: data}
	seeds := fstest.MapFS{
		"a.txt":         {Data: []byte("date 2025-10-05 به گزارش ایسنا، قیمت دلار در بازار تهران کاهش یافت.")},
		"feeds/old.txt": {Data: []byte("date 2025-10-05 این پرونده پنهان می‌ماند.")},
	}
	arts, probs, err := corpusSources(cfg, seeds, nil, "", quietLog()).Articles(t.Context())
	if err != nil || len(arts) != 1 {
		t.Fatalf("without a feeds folder: %v, %d articles", err, len(arts))
	}
	os.MkdirAll(filepath.Join(data, feedsDirName), 0o755)
	os.WriteFile(filepath.Join(data, feedsDirName, "x.jsonl"), []byte(`{"id":"f1","title":"باران","text":"بارش باران پاییزی در استان گیلان آغاز شد.","source":"فارس","date":"2025-10-06T10:00:00+03:30","url":"https://news.example.ir/rain"}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(data, feedsDirName, "state.json"), []byte(`{}`), 0o644)
	arts, probs, err = corpusSources(cfg, seeds, nil, "", quietLog()).Articles(t.Context())
	if err != nil || len(arts) != 2 || len(probs) != 0 {
		t.Fatalf("with feeds: %v, %+v, problems %v", err, arts, probs)
	}
	got := arts[1]
	if got.ID != "f1" || got.Path != "feeds/x.jsonl" || got.URL != "https://news.example.ir/rain" || got.Date.Format(time.DateOnly) != "2025-10-06" {
		t.Errorf("feed article: %+v", got)
	}
}

// testApp is the app of package main over seeds and a feeds folder in
// DATA_DIR, with the index and composer on clock.
func testApp(t *testing.T, vars map[string]string, clock func() time.Time) *app {
	t.Helper()
	cfg, err := loadConfig(mapenv(vars))
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(cfg, quietLog(), nil)
	if err != nil {
		t.Fatal(err)
	}
	emb := retrieval.NewLocalEmbedder(64)
	a.local = retrieval.New(emb, emb.Identity(), retrieval.Options{Dir: cfg.DataDir, Now: clock})
	a.index = &countedStore{Store: a.local}
	a.composer = answer.New(a.index, answer.Options{Now: clock})
	return a
}

// TestFeedPollSyncsOnlyWhatIsNew: after a poll, the index embeds the new
// item's chunks only, and the new item is answerable, cited by its link;
// its arrival time is the sync's, which the digest reads.
func TestFeedPollSyncsOnlyWhatIsNew(t *testing.T) {
	testFeedOptions(t)
	srv := newNewsServer(t)
	now := time.Now()
	url := srv.set("/news.xml", dollarItem(now.Add(-2*time.Hour)), rainItem(now.Add(-time.Hour)))
	clock := &testClock{t: now.Add(-time.Hour).Truncate(time.Second)}
	a := testApp(t, testEnv(t, "SEEDS_DIR", smallSeeds(t), "FEEDS", url), clock.now)
	ctx := t.Context()
	p, err := a.newPoller(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.PollAll(ctx)
	if err != nil || rep.Added() != 2 {
		t.Fatalf("first poll: %v, %d added", err, rep.Added())
	}
	first, err := a.syncFeeds(ctx, rep)
	if err != nil || first.Articles != 4 {
		t.Fatalf("first sync: %v, %+v", err, first)
	}

	clock.set(now.Truncate(time.Second))
	srv.add("/news.xml", quakeItem(now.Add(-10*time.Minute)))
	rep, err = p.Poll(ctx) // not due yet: nothing fetched
	if err != nil || len(rep.Feeds) != 0 {
		t.Fatalf("a poll before the interval fetched %d feeds (%v)", len(rep.Feeds), err)
	}
	rep, err = p.PollAll(ctx)
	if err != nil || rep.Added() != 1 || !changed(rep) {
		t.Fatalf("second poll: %v, %d added", err, rep.Added())
	}
	second, err := a.syncFeeds(ctx, rep)
	if err != nil {
		t.Fatal(err)
	}
	newChunks := second.Chunks - first.Chunks
	if newChunks <= 0 || second.Embedded != newChunks || second.Added != newChunks || second.Unchanged != first.Chunks || second.Articles != 5 {
		t.Errorf("second sync embedded %d, added %d, unchanged %d, %d articles; the new item has %d chunks, the index had %d",
			second.Embedded, second.Added, second.Unchanged, second.Articles, newChunks, first.Chunks)
	}
	arrived, err := a.index.Arrived(ctx, now.Add(-time.Minute), now)
	if err != nil || len(arrived) != 1 || arrived[0].URL != "https://news.example.ir/1404/quake-bam" {
		t.Errorf("arrived since the first sync: %+v, %v", arrived, err)
	}

	ans, err := a.composer.Answer(ctx, answer.Request{Question: "زلزله بم چند ریشتر بود؟"})
	if err != nil || ans.NotFound() {
		t.Fatalf("answer: %v %+v", err, ans)
	}
	if len(ans.Sources) == 0 || ans.Sources[0].URL != "https://news.example.ir/1404/quake-bam" {
		t.Errorf("sources: %+v", ans.Sources)
	}

	// A poll that met a 304 changes nothing, and /reload (a sync of the
	// same corpus) embeds nothing.
	rep, _ = p.PollAll(ctx)
	if changed(rep) || rep.Feeds[0].Status != "not_modified" {
		t.Errorf("third poll: %+v", rep.Feeds)
	}
	if r, err := a.reload(ctx); err != nil || r.Embedded != 0 || r.Articles != 5 {
		t.Errorf("reload: %v, %+v", err, r)
	}
}

func TestFeedsCommand(t *testing.T) { feedsCommand(t) }

// TestFeedsCommandOnWeaviate: the same with INDEX_BACKEND=weaviate.
func TestFeedsCommandOnWeaviate(t *testing.T) {
	base := os.Getenv("WEAVIATE_URL")
	if base == "" {
		t.Skip("WEAVIATE_URL is unset: start a Weaviate with `eval \"$(scripts/weaviate.sh start)\"` to run this test")
	}
	prefix := testPrefix()
	dropPrefix(t, base, prefix)
	feedsCommand(t, "INDEX_BACKEND", "weaviate", "WEAVIATE_URL", base, "WEAVIATE_PREFIX", prefix)
}

func feedsCommand(t *testing.T, extra ...string) {
	testFeedOptions(t)
	srv := newNewsServer(t)
	now := time.Now()
	good := srv.set("/news.xml", dollarItem(now.Add(-2*time.Hour)), rainItem(now.Add(-time.Hour)))
	broken := srv.breakPath("/broken.xml", 0)
	vars := testEnv(t, append([]string{"SEEDS_DIR", smallSeeds(t), "FEEDS", good + " خبرگزاری آزمون," + broken}, extra...)...)

	out, _, err := runCmd(t, vars, "", "feeds")
	if err != nil {
		t.Fatalf("feeds: %v\n%s", err, out)
	}
	for _, want := range []string{
		"خبرگزاری آزمون <" + good + ">: ok, 2 items, 2 added",
		"+ قیمت دلار در بازار تهران کاهش یافت <https://news.example.ir/1404/dollar>",
		"<" + broken + ">: not_a_feed",
		"2 feeds, 1 failed, 2 new articles",
		"articles 4,",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The articles stay in DATA_DIR: ask answers from them, citing the link.
	out, _, err = runCmd(t, vars, "", "ask", "باران در گیلان")
	if err != nil || !strings.Contains(out, "https://news.example.ir/1404/rain-gilan") {
		t.Errorf("ask: %v\n%s", err, out)
	}
	// Again: a 304, nothing new, nothing embedded.
	out, _, err = runCmd(t, vars, "", "feeds")
	if err != nil || !strings.Contains(out, ": not_modified") || !strings.Contains(out, "0 new articles") || !strings.Contains(out, "0 embedded") {
		t.Errorf("second run: %v\n%s", err, out)
	}

	// Every feed failing is a failure of the command.
	srv.breakPath("/news.xml", 503)
	out, _, err = runCmd(t, vars, "", "feeds")
	if err == nil || !strings.Contains(err.Error(), "all 2 feeds failed") || !strings.Contains(out, ": unavailable") {
		t.Errorf("all failing: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, vars, "", "feeds", "-h")
	if err != nil || !strings.Contains(out, "usage: khabar feeds") {
		t.Errorf("-h: %v\n%s", err, out)
	}
	if _, _, err := runCmd(t, vars, "", "feeds", "extra"); !errors.Is(err, errUsage) {
		t.Errorf("an argument: %v", err)
	}
	if _, _, err := runCmd(t, testEnv(t, "SEEDS_DIR", smallSeeds(t)), "", "feeds"); err == nil || !strings.Contains(err.Error(), "no feed") {
		t.Errorf("no feeds: %v", err)
	}
}

var _ = context.Background

// failingFS is a corpus whose folder cannot be read.
type failingFS struct{}

func (failingFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
}

// TestFailedFeedSyncIsRetried: when the sync after a poll fails, the next
// pass syncs again although it brought nothing new; after a success,
// passes without changes sync nothing.
func TestFailedFeedSyncIsRetried(t *testing.T) {
	synced := testFeedOptions(t)
	srv := newNewsServer(t)
	url := srv.set("/news.xml", rainItem(time.Now().Add(-time.Hour)))
	a := testApp(t, testEnv(t, "SEEDS_DIR", smallSeeds(t), "FEEDS", url), time.Now)
	ctx := t.Context()
	if _, err := a.open(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := a.newPoller(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	onPoll := a.afterPoll(ctx)
	pass := func() {
		t.Helper()
		rep, err := p.PollAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		onPoll(rep)
	}
	next := func() (syncedPoll, bool) {
		select {
		case s := <-synced:
			return s, true
		default:
			return syncedPoll{}, false
		}
	}

	sources := a.corpus
	a.corpus = &corpus.Folder{FS: failingFS{}}
	pass()
	if s, ok := next(); !ok || s.err == nil || a.index.Stats().Articles != 2 {
		t.Fatalf("a failing sync: %+v %v, %d articles", s, ok, a.index.Stats().Articles)
	}
	a.corpus = sources
	pass() // a 304, but the last sync failed
	if s, ok := next(); !ok || s.err != nil || s.feed.Feeds[0].Status != "not_modified" || a.index.Stats().Articles != 3 {
		t.Fatalf("the retry: %+v %v, %d articles", s, ok, a.index.Stats().Articles)
	}
	pass()
	if s, ok := next(); ok {
		t.Errorf("a pass without changes synced: %+v", s)
	}
}

// TestFeedSyncKeepsTheUploads: the sync after a poll is of the whole
// corpus, so the uploaded articles stay in the index (it once synced
// SEEDS_DIR and the live folders only, and dropped them until /reload).
func TestFeedSyncKeepsTheUploads(t *testing.T) {
	testFeedOptions(t)
	srv := newNewsServer(t)
	url := srv.set("/news.xml", rainItem(time.Now().Add(-time.Hour)))
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "FEEDS", url)
	uploads := filepath.Join(vars["DATA_DIR"], "uploads")
	os.MkdirAll(uploads, 0o755)
	os.WriteFile(filepath.Join(uploads, "0123456789abcdef.txt"), []byte(giraffe), 0o644)
	a := testApp(t, vars, time.Now)
	ctx := t.Context()
	if _, err := a.open(ctx); err != nil || a.index.Stats().Articles != 3 {
		t.Fatalf("open: %v, %d articles, want 2 seeds and the upload", err, a.index.Stats().Articles)
	}
	p, err := a.newPoller(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.PollAll(ctx)
	if err != nil || rep.Added() != 1 {
		t.Fatalf("poll: %v, %d added", err, rep.Added())
	}
	irep, err := a.syncFeeds(ctx, rep)
	if err != nil || irep.Articles != 4 || irep.Removed != 0 {
		t.Errorf("sync after the poll: %v, %d articles, %d chunks removed; want the upload kept", err, irep.Articles, irep.Removed)
	}
	ans, err := a.composer.Answer(ctx, answer.Request{Question: giraffeQuestion})
	if err != nil || ans.NotFound() {
		t.Errorf("the upload is no longer answered: %v %+v", err, ans)
	}
}
