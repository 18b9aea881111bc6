package feed

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/khabar/khabar/corpus"
)

// TestSourceIsWhatTheLoaderReads: the feeds' folder as a corpus.Source
// gives the articles the loader reads from it, path for path; a folder
// that does not exist yet is an empty source, and a bad line is reported.
func TestSourceIsWhatTheLoaderReads(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveFixture(t, "/rss", "rss_utf8.xml", "application/rss+xml; charset=utf-8")
	srv.serveFixture(t, "/atom", "atom.xml", "application/atom+xml")
	c := newClock()
	opts := testOptions(c)
	opts.NoFullText = true
	dir := filepath.Join(t.TempDir(), "feeds")
	load := corpus.LoadOptions{Now: c.Now}

	if arts, probs, err := NewSource(dir, "feeds", load).Articles(context.Background()); err != nil || len(arts)+len(probs) > 0 {
		t.Fatalf("before the first poll: %v, %v, %v", arts, probs, err)
	}
	file := filepath.Join(t.TempDir(), "data")
	os.WriteFile(file, nil, 0o644)
	if arts, probs, err := NewSource(filepath.Join(file, "feeds"), "feeds", load).Articles(context.Background()); err != nil || len(arts)+len(probs) > 0 {
		t.Fatalf("DATA_DIR a file: %v, %v, %v; want an empty source", arts, probs, err)
	}
	p := mustPoller(t, dir, []Spec{{URL: srv.URL + "/rss", Name: "نمونه"}, {URL: srv.URL + "/atom"}}, opts)
	mustPoll(t, p)

	got, probs, err := NewSource(dir, "feeds", load).Articles(context.Background())
	if err != nil || len(probs) > 0 {
		t.Fatalf("Articles: %v, problems %v", err, probs)
	}
	want, err := corpus.Load(context.Background(), os.DirFS(dir), load)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Articles {
		want.Articles[i].Path = path.Join("feeds", want.Articles[i].Path)
	}
	if len(got) < 2 || !reflect.DeepEqual(got, want.Articles) {
		t.Errorf("source (%d):\n%+v\nloader (%d):\n%+v", len(got), got, len(want.Articles), want.Articles)
	}

	os.WriteFile(filepath.Join(dir, "broken.jsonl"), []byte("{not json\n"), 0o644)
	if _, probs, _ := NewSource(dir, "feeds", load).Articles(context.Background()); len(probs) != 1 || probs[0].Path != "feeds/broken.jsonl" || probs[0].Line != 1 || !probs[0].Skipped {
		t.Errorf("bad line: problems %+v", probs)
	}
}
