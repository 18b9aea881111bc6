package bot

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/retrieval"
)

// Soak sizes: at least 10,000 questions from many chats.
const (
	soakChats   = 500
	soakEach    = 20
	soakAdmin   = 1
	soakMaxHeap = 512 << 20
	// soakGoroutineSlack is how many more goroutines than at the start
	// may be left after shutdown (runtime and testing helpers).
	soakGoroutineSlack = 5
)

// soakStats are the numbers a soak reports.
type soakStats struct {
	questions, chats int
	elapsed          time.Duration // first push to last answer
	p50, p95, max    time.Duration // push to answer
	peakHeap         uint64        // bytes
	peakGoroutines   int
}

func (s soakStats) throughput() float64 { return float64(s.questions) / s.elapsed.Seconds() }

func (s soakStats) String() string {
	return fmt.Sprintf("%d questions from %d chats in %v: %.0f questions/s; latency p50 %v, p95 %v, max %v; peak heap %.1f MiB; peak goroutines %d",
		s.questions, s.chats, s.elapsed.Round(time.Millisecond), s.throughput(), s.p50.Round(time.Millisecond), s.p95.Round(time.Millisecond),
		s.max.Round(time.Millisecond), float64(s.peakHeap)/(1<<20), s.peakGoroutines)
}

// sampler records the peak heap and goroutine count every 50 ms until
// stopped.
type sampler struct {
	stop chan struct{}
	wg   sync.WaitGroup

	peakHeap       uint64
	peakGoroutines int
}

func startSampler() *sampler {
	s := &sampler{stop: make(chan struct{})}
	s.sample()
	s.wg.Go(func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-tick.C:
				s.sample()
			}
		}
	})
	return s
}

func (s *sampler) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.peakHeap = max(s.peakHeap, ms.HeapAlloc)
	s.peakGoroutines = max(s.peakGoroutines, runtime.NumGoroutine())
}

// done stops the sampler, takes a last sample and returns the peaks.
func (s *sampler) done() (heap uint64, goroutines int) {
	close(s.stop)
	s.wg.Wait()
	s.sample()
	return s.peakHeap, s.peakGoroutines
}

var soakQuestions = []string{
	"وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟",
	"قیمت دلار در بازار آزاد چند شد؟",
	"قیمت سکه امامی چقدر است؟",
	"لیگ برتر کشتی آزاد از چه روزی آغاز شد؟",
	"درباره قیمت طلا چه خبر؟",
	"آب و هوای تهران فردا چطور است؟",
}

// runSoak runs the whole bot against the fake Bot API: chats×each
// questions, answered by the real composer over a small index, with an
// admin /reload halfway that adds an article, which every later question
// about it must find. Every question must be answered exactly once, in
// order within its chat. It returns the measurements.
func runSoak(t testing.TB, chats, each int) soakStats {
	dir := copySeeds(t, 8)
	ix := seedIndex(t, dir)
	composer := answer.New(ix, answer.Options{})
	reload := func(ctx context.Context) (retrieval.Report, error) { return ix.Sync(ctx, os.DirFS(dir)) }
	obs := newRecObserver()
	ch := chat.New(taggedAnswerer{composer}, discard(), chat.Options{Reload: reload, OnReload: obs.Reload})
	fake := telegramtest.New(t, telegramtest.Options{})
	r := startRig(t, fake, ch, Options{NoPacing: true, Admins: []int64{soakAdmin}, Metrics: obs}, 0)
	sample := startSampler()

	total := chats * each
	pushed := make([]time.Time, total) // by question number: round*chats + chat
	tag := func(c, round int) string { return fmt.Sprintf("c%dq%d", c, round) }
	question := func(c, round int) string {
		if round >= each/2 && (c+round)%4 == 0 {
			return newArticleQuestion // after the reload: must find the new article
		}
		return soakQuestions[(c+round)%len(soakQuestions)]
	}
	chatID := func(c int) int64 { return int64(1000 + c) }
	push := func(from, to int) {
		for round := from; round < to; round++ {
			for c := range chats {
				pushed[round*chats+c] = time.Now()
				fake.PushText(privateChat(chatID(c)), user(chatID(c)), question(c, round)+" #"+tag(c, round))
			}
		}
	}

	start := time.Now()
	push(0, each/2)
	// Halfway, the admin adds an article and reloads while questions are
	// pending; the questions after the report must find it.
	if err := os.WriteFile(filepath.Join(dir, "zz_new.txt"), []byte(newArticle), 0o644); err != nil {
		t.Fatal(err)
	}
	fake.PushText(privateChat(soakAdmin), user(soakAdmin), "/reload")
	push(each/2, each*3/4)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := r.obs.waitReloads(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// Any question pushed from now on is answered from the new index.
	late := each * 3 / 4
	push(late, each)
	if err := r.obs.waitSends(ctx, total+1); err != nil { // +1: the reply to /reload
		t.Fatal(err)
	}
	if err := r.stop(); err != nil { // after the report
		t.Fatal(err)
	}
	heap, goroutines := sample.done()

	if msgs := fake.Messages(soakAdmin); len(msgs) != 1 || !strings.Contains(msgs[0].Visible, chat.MsgReloadDone) || strings.Contains(msgs[0].Visible, chat.MsgReportAdded+": ۰،") {
		t.Errorf("reload: got %q, want one message edited with the report of the added article", visibles(msgs))
	}

	var latencies []time.Duration
	var last time.Time
	for c := range chats {
		msgs := fake.Messages(chatID(c))
		if len(msgs) != each {
			t.Errorf("chat %d: got %d answers, want %d", chatID(c), len(msgs), each)
			continue
		}
		for round, m := range msgs {
			if !strings.HasSuffix(visible(m), "#"+tag(c, round)) && !strings.Contains(visible(m), "#"+tag(c, round)+"\n") {
				t.Errorf("chat %d, answer %d: got %q, want the answer to %s", chatID(c), round, visible(m), tag(c, round))
				continue
			}
			if round >= late && question(c, round) == newArticleQuestion && !strings.Contains(m.Visible, "زرافه") {
				t.Errorf("chat %d, answer %d, after the reload: got %q, want the new article", chatID(c), round, visible(m))
			}
			latencies = append(latencies, m.Time.Sub(pushed[round*chats+c]))
			if m.Time.After(last) {
				last = m.Time
			}
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	if n := fake.PendingUpdates(); n != 0 {
		t.Errorf("%d updates left unconfirmed", n)
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	return soakStats{questions: total, chats: chats, elapsed: last.Sub(start),
		p50: pct(0.50), p95: pct(0.95), max: latencies[len(latencies)-1], peakHeap: heap, peakGoroutines: goroutines}
}

// TestSoak is issue 7's load test: 10,000 questions from 500 chats, with an
// admin reload halfway. Memory must stay bounded and no goroutine may be
// left behind. Skipped with -short.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: skipped with -short")
	}
	runtime.GC()
	before := runtime.NumGoroutine()
	var stats soakStats
	if !t.Run("run", func(t *testing.T) { stats = runSoak(t, soakChats, soakEach) }) {
		return
	}
	// The fakes and the bot are closed with the subtest: every goroutine
	// they started must end.
	after := runtime.NumGoroutine()
	for deadline := time.Now().Add(10 * time.Second); after > before+soakGoroutineSlack && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		after = runtime.NumGoroutine()
	}
	t.Logf("soak: %v; goroutines %d before, %d after shutdown", stats, before, after)
	if after > before+soakGoroutineSlack {
		var buf bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&buf, 1)
		t.Errorf("%d goroutines after shutdown, %d before: leaked\n%s", after, before, buf.String())
	}
	if stats.peakHeap > soakMaxHeap {
		t.Errorf("peak heap %d MiB, want under %d MiB", stats.peakHeap>>20, soakMaxHeap>>20)
	}
}

// BenchmarkSoak runs the soak and reports its numbers:
//
//	go test -run '^$' -bench Soak -benchtime 1x ./bot/
func BenchmarkSoak(b *testing.B) {
	var s soakStats
	for range b.N {
		s = runSoak(b, soakChats, soakEach)
	}
	b.ReportMetric(s.throughput(), "questions/s")
	b.ReportMetric(float64(s.p95.Milliseconds()), "p95-ms")
	b.ReportMetric(float64(s.peakHeap)/(1<<20), "peak-heap-MiB")
	b.Logf("soak: %v", s)
}
