package corpus

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
)

// staticSource is a Source of fixed articles, for Multi.
type staticSource struct {
	arts  []Article
	probs []Problem
	err   error
}

func (s staticSource) Articles(context.Context) ([]Article, []Problem, error) {
	return s.arts, s.probs, s.err
}

func TestFolderPrefixHideOptional(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt":           {Data: []byte("date 2025-10-01\nبه گزارش ایرنا، خبری منتشر شد.")},
		"b.jsonl":         {Data: []byte(`{"id":"x","text":"خبر دوم."}` + "\n" + `{"text":"خبر سوم."}` + "\n" + "{bad\n")},
		"channels/c.txt":  {Data: []byte("خبری که پنهان می‌ماند.")},
		"sub/channels.md": {Data: []byte("# نه\nخبری در پوشه‌ای دیگر.")},
	}
	f := &Folder{FS: fsys, Prefix: "uploads", Hide: []string{"channels"}}
	arts, probs, err := f.Articles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"uploads/a.txt", "uploads/x", "uploads/b.jsonl#2", "uploads/sub/channels.md"}
	if got := articleIDs(arts); !slices.Equal(got, want) {
		t.Errorf("ids %q, want %q", got, want)
	}
	if arts[1].Path != "uploads/b.jsonl" || arts[1].Line != 1 {
		t.Errorf("path %s:%d, want uploads/b.jsonl:1", arts[1].Path, arts[1].Line)
	}
	if len(probs) != 1 || probs[0].Path != "uploads/b.jsonl" || probs[0].Line != 3 {
		t.Errorf("problems %v, want the bad line in uploads/b.jsonl", probs)
	}

	missing := os.DirFS(filepath.Join(t.TempDir(), "none"))
	if arts, probs, err := (&Folder{FS: missing, Optional: true}).Articles(context.Background()); err != nil || len(arts)+len(probs) != 0 {
		t.Errorf("an optional missing folder: %v, %v, %v; want an empty source", arts, probs, err)
	}
	if _, _, err := (&Folder{FS: missing, Name: "uploads x"}).Articles(context.Background()); !errors.Is(err, fs.ErrNotExist) || err.Error()[:10] != "uploads x:" {
		t.Errorf("a missing folder: %v, want fs.ErrNotExist named", err)
	}
	empty := fstest.MapFS{"e.txt": {Data: []byte("  ")}}
	if _, probs, err := (&Folder{FS: empty, Optional: true}).Articles(context.Background()); err != nil || len(probs) != 1 {
		t.Errorf("an optional folder without articles: %v, %v; want no error and the problem", probs, err)
	}
	if _, _, err := (&Folder{FS: empty, Name: "seeds"}).Articles(context.Background()); !errors.Is(err, ErrNoArticles) {
		t.Errorf("a folder without articles: %v, want ErrNoArticles", err)
	}
}

func TestMulti(t *testing.T) {
	seed := Article{ID: "a.txt", Text: "متن یک", Path: "a.txt"}
	live := Article{ID: "telegram/1/2", Text: "متن دو", Path: "channels/c.jsonl", Line: 1}
	again := Article{ID: "a.txt", Text: "متن سه", Path: "feeds/f.jsonl", Line: 4}
	upload := Article{ID: "uploads/u.txt", Text: "متن چهار", Path: "uploads/u.txt"}
	resent := Article{ID: "uploads/v.txt", Text: "متن یک", Path: "uploads/v.txt"}
	m := &Multi{
		Sources: []Source{
			staticSource{arts: []Article{seed}, probs: []Problem{{Path: "z.txt", Reason: "empty file", Skipped: true}}},
			staticSource{arts: []Article{again, live}},
		},
		Additions: []Source{staticSource{arts: []Article{resent, upload}}},
	}
	arts, probs, err := m.Articles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := articleIDs(arts), []string{"a.txt", "telegram/1/2", "uploads/u.txt"}; !slices.Equal(got, want) {
		t.Errorf("ids %q, want %q (path order, the duplicate id and the resent text left out)", got, want)
	}
	want := []string{`feeds/f.jsonl:4: duplicate id "a.txt" (first in a.txt)`, "z.txt: empty file"}
	if got := problemStrings(probs); !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}

	// The same text among Sources is kept: only an addition is a resend.
	m = &Multi{Sources: []Source{staticSource{arts: []Article{seed}}, staticSource{arts: []Article{resent}}}}
	if arts, _, _ := m.Articles(context.Background()); len(arts) != 2 {
		t.Errorf("two sources with one text: %d articles, want 2", len(arts))
	}

	// A source without articles is no error while another has some.
	noneErr := errors.New("load corpus: 0 files: no usable articles")
	none := staticSource{err: errors.Join(noneErr, ErrNoArticles)}
	if arts, _, err := (&Multi{Sources: []Source{none}, Additions: []Source{staticSource{arts: []Article{upload}}}}).Articles(context.Background()); err != nil || len(arts) != 1 {
		t.Errorf("empty seeds and an upload: %v, %v", arts, err)
	}
	if _, _, err := (&Multi{Sources: []Source{none, staticSource{}}}).Articles(context.Background()); !errors.Is(err, noneErr) {
		t.Errorf("no articles anywhere: %v, want the first source's error", err)
	}
	if _, _, err := (&Multi{}).Articles(context.Background()); !errors.Is(err, ErrNoArticles) {
		t.Errorf("no source: %v, want ErrNoArticles", err)
	}
	broken := errors.New("disk on fire")
	if _, _, err := (&Multi{Sources: []Source{staticSource{arts: []Article{seed}}, staticSource{err: broken}}}).Articles(context.Background()); !errors.Is(err, broken) {
		t.Errorf("a failing source: %v, want its error", err)
	}
}
