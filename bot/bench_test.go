package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/internal/telegramtest"
)

// taggedAnswerer answers "question #tag" with inner and shows the tag in
// the answer's note, so that each reply can be traced to its question.
type taggedAnswerer struct{ inner answerer }

func (a taggedAnswerer) Answer(ctx context.Context, req answer.Request) (answer.Answer, error) {
	q, tag, _ := strings.Cut(req.Question, " #")
	req.Question = q
	ans, err := a.inner.Answer(ctx, req)
	ans.Note = "#" + tag
	return ans, err
}

// BenchmarkBot1000Questions sends 1,000 questions from 100 users (ten
// each, in private chats) through the fake Bot API and the real client,
// answered from the seeds by the real composer. Every question must be
// answered exactly once, in order within each chat. It reports the
// throughput and the latency from push to answer. "unpaced" measures the
// bot itself; "paced" keeps Telegram's limits (one message a second per
// chat, thirty a second overall), which then set the pace.
func BenchmarkBot1000Questions(b *testing.B) {
	const users, each = 100, 10
	composer := answer.New(seedIndex(b, ""), answer.Options{})
	questions := []string{
		"وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟",
		"قیمت دلار در بازار آزاد چند شد؟",
		"قیمت سکه امامی چقدر است؟",
		"لیگ برتر کشتی آزاد از چه روزی آغاز شد؟",
		"درباره قیمت طلا چه خبر؟",
	}
	for _, mode := range []struct {
		name     string
		noPacing bool
	}{{"unpaced", true}, {"paced", false}} {
		b.Run(mode.name, func(b *testing.B) {
			var latencies []time.Duration
			var elapsed time.Duration
			for range b.N {
				b.StopTimer()
				fake := telegramtest.New(b, telegramtest.Options{})
				tb := startBot(b, fake, chat.New(taggedAnswerer{composer}, discard(), chat.Options{}), Options{NoPacing: mode.noPacing})
				pushed := map[string]time.Time{}
				b.StartTimer()

				start := time.Now()
				for round := range each {
					for u := range users {
						tag := fmt.Sprintf("u%dr%d", u, round)
						pushed[tag] = time.Now()
						fake.PushText(privateChat(int64(1+u)), user(int64(1+u)), questions[(u+round)%len(questions)]+" #"+tag)
					}
				}
				// Paced, a thousand messages take over thirty seconds.
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				for u := range users {
					if msgs, err := fake.WaitMessages(ctx, int64(1+u), each); err != nil {
						b.Fatalf("%v; got %q", err, visibles(msgs))
					}
				}
				cancel()
				elapsed += time.Since(start)

				b.StopTimer()
				if err := tb.stop(); err != nil {
					b.Fatal(err)
				}
				for u := range users {
					msgs := fake.Messages(int64(1 + u)) // everything, after shutdown
					if len(msgs) != each {
						b.Fatalf("chat %d: got %d messages, want %d", 1+u, len(msgs), each)
					}
					for round, m := range msgs {
						tag := fmt.Sprintf("u%dr%d", u, round)
						if !strings.Contains(m.Visible, "#"+tag) {
							b.Fatalf("chat %d, message %d: got %q, want the answer to %s", 1+u, round, m.Visible, tag)
						}
						latencies = append(latencies, m.Time.Sub(pushed[tag]))
					}
				}
				b.StartTimer()
			}
			slices.Sort(latencies)
			pct := func(p float64) float64 { return latencies[int(p*float64(len(latencies)-1))].Seconds() * 1000 }
			b.ReportMetric(float64(users*each*b.N)/elapsed.Seconds(), "questions/s")
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
		})
	}
}
