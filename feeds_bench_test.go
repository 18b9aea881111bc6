package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/retrieval"
)

// benchWords are the vocabulary of the synthetic news items.
var benchWords = strings.Fields("دولت مجلس وزیر بازار ارز دلار بورس نفت گاز برق آب باران سیل زلزله استان شهر تهران اصفهان شیراز تبریز مشهد رشت " +
	"دانشگاه مدرسه بیمارستان پزشک دارو قیمت تورم صادرات واردات گمرک بندر فرودگاه قطار جاده ترافیک پلیس دادگاه قاضی " +
	"فوتبال لیگ تیم بازیکن مربی جام فیلم کتاب نمایشگاه جشنواره هنرمند موسیقی فناوری اینترنت ماهواره پژوهش دانشمند " +
	"گفت افزود اعلام کرد خبر داد گزارش داد تأکید کرد ادامه دارد آغاز شد پایان یافت افزایش یافت کاهش یافت")

// benchItem is the j-th item of feed i: a few hundred words, distinct in
// content and in its rare words (a number spelled in the title).
func benchItem(rng *rand.Rand, i, j int, at time.Time) newsItem {
	var b strings.Builder
	for s := range 12 {
		for range 14 {
			b.WriteString(benchWords[rng.IntN(len(benchWords))])
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "رمز%dو%dو%d. ", i, j, s)
	}
	return newsItem{
		GUID:  fmt.Sprintf("bench-%d-%d", i, j),
		Title: fmt.Sprintf("خبر رمز%dو%d", i, j),
		Link:  fmt.Sprintf("https://bench%d.example.ir/news/%d", i, j),
		Date:  at.Add(-time.Duration(j) * time.Minute),
		Text:  b.String(),
	}
}

// BenchmarkIngest10000Items: 10,000 new items in 20 feeds of 500 (a feed
// body stays under the 5 MiB cap) reach an index that holds the seeds:
// one PollAll, then the sync serve makes after a poll. It reports the
// time until all are answerable (ns/op), the chunks embedded and the heap
// the new articles add once stored and indexed (MB-added, after GC), with
// the poll's and the sync's shares (poll-s, sync-s).
//
//	go test -run '^$' -bench BenchmarkIngest10000Items -benchtime 1x -count 5 .
func BenchmarkIngest10000Items(b *testing.B) {
	const feeds, perFeed = 20, 500
	testFeedOptions(b)
	srv := newNewsServer(b)
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().Add(-time.Hour)
	var urls []string
	for i := range feeds {
		items := make([]newsItem, perFeed)
		for j := range items {
			items[j] = benchItem(rng, i, j, now)
		}
		urls = append(urls, srv.set(fmt.Sprintf("/f/%d.xml", i), items...))
	}
	envFile := b.TempDir() + "/none.env"
	if err := os.WriteFile(envFile, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	var added, pollSec, syncSec float64
	var embedded int
	for b.Loop() {
		b.StopTimer()
		vars := map[string]string{"SEEDS_DIR": "seeds", "DATA_DIR": b.TempDir(), "ENV_FILE": envFile,
			"LOG_LEVEL": "warn", "FEEDS": strings.Join(urls, ",")}
		cfg, err := loadConfig(mapenv(vars))
		if err != nil {
			b.Fatal(err)
		}
		a, err := newApp(cfg, quietLog(), nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.open(b.Context()); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()

		p, err := a.newPoller(nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		rep, err := p.PollAll(b.Context())
		t1 := time.Now()
		if err != nil || rep.Added() != feeds*perFeed {
			b.Fatalf("poll: %v, %d added", err, rep.Added())
		}
		irep, err := a.syncFeeds(b.Context(), rep)
		if err != nil {
			b.Fatal(err)
		}

		b.StopTimer()
		pollSec, syncSec = t1.Sub(t0).Seconds(), time.Since(t1).Seconds()
		embedded = irep.Embedded
		res, err := a.index.Search(b.Context(), retrieval.Query{Text: fmt.Sprintf("خبر رمز%dو%d", feeds-1, perFeed-1), K: 3})
		if err != nil || len(res.Passages) == 0 || res.Passages[0].URL != fmt.Sprintf("https://bench%d.example.ir/news/%d", feeds-1, perFeed-1) {
			b.Fatalf("the last item is not found first: %v %+v", err, res.Passages)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		added = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
		runtime.KeepAlive(p)
		runtime.KeepAlive(a)
		b.StartTimer()
	}
	b.ReportMetric(added, "MB-added")
	b.ReportMetric(float64(embedded), "chunks-embedded")
	b.ReportMetric(pollSec, "poll-s")
	b.ReportMetric(syncSec, "sync-s")
}
