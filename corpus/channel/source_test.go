package channel_test

import (
	"context"
	"os"
	"path"
	"reflect"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/corpus/channel"
)

// TestSourceIsWhatTheLoaderReads: the store as a corpus.Source gives the
// articles the loader reads from its folder, path for path, and leaves out
// the channels that do not count.
func TestSourceIsWhatTheLoaderReads(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, channel.Options{})
	put(t, s, channel.Post{Chat: public, MessageID: 42, Date: posted, Text: longText + "\n\n🆔 @khabarfori"})
	put(t, s, channel.Post{Chat: public, MessageID: 9, Date: posted.Add(-time.Hour), Text: "به گزارش ایسنا، " + longText})
	put(t, s, channel.Post{Chat: private, MessageID: 7, Date: posted, Text: "عکس: " + longText})
	gone := channel.Chat{ID: -1005555555555, Title: "کانال رفته"}
	put(t, s, channel.Post{Chat: gone, MessageID: 1, Date: posted, Text: longText})
	if _, err := s.SetAdmin(gone, false); err != nil {
		t.Fatal(err)
	}

	opts := corpus.LoadOptions{Now: func() time.Time { return posted.Add(time.Hour) }}
	got, probs, err := s.Source("channels", opts).Articles(context.Background())
	if err != nil || len(probs) > 0 {
		t.Fatalf("Articles: %v, problems %v", err, probs)
	}
	c, err := corpus.Load(context.Background(), os.DirFS(dir), opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.Articles {
		c.Articles[i].Path = path.Join("channels", c.Articles[i].Path)
	}
	if len(got) != 3 {
		t.Errorf("got %d articles, want the 3 posts of the counted channels", len(got))
	}
	if !reflect.DeepEqual(got, c.Articles) {
		t.Errorf("source:\n%+v\nloader:\n%+v", got, c.Articles)
	}
}

// TestSourceDropsFutureDates: a post dated past tomorrow (a wrong clock)
// keeps its article without the date, as the loader does.
func TestSourceDropsFutureDates(t *testing.T) {
	s := open(t, t.TempDir(), channel.Options{})
	put(t, s, channel.Post{Chat: public, MessageID: 1, Date: posted.AddDate(0, 0, 3), Text: longText})
	arts, probs, err := s.Source("channels", corpus.LoadOptions{Now: func() time.Time { return posted }}).Articles(context.Background())
	if err != nil || len(arts) != 1 || !arts[0].Date.IsZero() || len(probs) != 1 || probs[0].Skipped {
		t.Errorf("got %+v, %v, %v; want the article without a date and one problem", arts, probs, err)
	}
}
