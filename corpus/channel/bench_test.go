package channel_test

import (
	"testing"
	"time"

	"github.com/khabar/khabar/corpus/channel"
)

// BenchmarkPutIntoLargeChannel measures storing one more post in a
// channel that already has 2,000: the channel's file is rewritten
// atomically each time.
func BenchmarkPutIntoLargeChannel(b *testing.B) {
	s, _, err := channel.Open(b.TempDir(), channel.Options{})
	if err != nil {
		b.Fatal(err)
	}
	const stored = 2000
	for i := range stored {
		if _, err := s.Put(channel.Post{Chat: public, MessageID: i + 1, Date: posted, Text: longText}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.Put(channel.Post{Chat: public, MessageID: stored + i + 1, Date: posted.Add(time.Duration(i) * time.Second), Text: longText}); err != nil {
			b.Fatal(err)
		}
	}
}
