package corpus

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/fstest"
	"time"
)

// heldUnits is a Known built from an earlier full read: every unit's
// fingerprint and articles.
type heldUnits struct {
	fps  map[string]string
	arts map[string][]Article
}

func holdAll(d Delta) *heldUnits {
	h := &heldUnits{fps: map[string]string{}, arts: map[string][]Article{}}
	for _, u := range d.Units {
		h.fps[u.Path] = u.Fingerprint
	}
	for _, a := range d.Articles {
		h.arts[a.Path] = append(h.arts[a.Path], a)
	}
	return h
}

func (h *heldUnits) Fingerprint(p string) string { return h.fps[p] }
func (h *heldUnits) Articles(p string) []Held {
	var out []Held
	for _, a := range h.arts[p] {
		out = append(out, Held{ID: a.ID, Line: a.Line})
	}
	return out
}
func (h *heldUnits) Texts(p string) []string {
	var out []string
	for _, a := range h.arts[p] {
		out = append(out, a.Text)
	}
	return out
}

func unitPaths(d Delta, kept bool) []string {
	var out []string
	for _, u := range d.Units {
		if u.Kept == kept {
			out = append(out, u.Path)
		}
	}
	return out
}

// TestArticlesSince: a second read keeps every file that has not changed,
// with the prefix, next to a source that has no fingerprints (read every
// time); files whose articles depend on other files or on the clock are
// never kept.
func TestArticlesSince(t *testing.T) {
	now := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	opts := LoadOptions{Now: func() time.Time { return now }}
	fsys := fstest.MapFS{
		"a.txt":     {Data: []byte("date 2025-09-01\nبه گزارش ایرنا، خبری منتشر شد.")},
		"b.jsonl":   {Data: []byte(`{"id":"x","text":"خبر دوم."}` + "\n" + "{bad\n")},
		"c.jsonl":   {Data: []byte(`{"id":"x","text":"تکرار."}` + "\n" + `{"id":"y","text":"خبر سوم."}` + "\n")},
		"d.txt":     {Data: []byte("date 2026-01-01\nخبری با تاریخ آینده.")},
		"README.md": {Data: []byte("not an article")},
	}
	m := &Multi{Sources: []Source{
		&Folder{FS: fsys, Prefix: "s", Options: opts},
		staticSource{arts: []Article{{ID: "live/1", Path: "live/1.json", Text: "خبر زنده."}}},
	}}
	first, err := m.ArticlesSince(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	arts, probs, err := m.Articles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(articleIDs(first.Articles), articleIDs(arts)) || !slices.Equal(first.Problems, probs) {
		t.Errorf("a read holding nothing: %v %v, Articles gives %v %v", articleIDs(first.Articles), first.Problems, articleIDs(arts), probs)
	}
	want := []string{"live/1.json", "s/a.txt", "s/b.jsonl", "s/c.jsonl", "s/d.txt"}
	if got := unitPaths(first, false); !slices.Equal(got, want) {
		t.Errorf("units %v, want %v", got, want)
	}
	for _, u := range first.Units {
		blank := u.Path == "live/1.json" || u.Path == "s/c.jsonl" || u.Path == "s/d.txt"
		if (u.Fingerprint == "") != blank {
			t.Errorf("unit %s fingerprint %q", u.Path, u.Fingerprint)
		}
	}

	again, err := m.ArticlesSince(context.Background(), holdAll(first))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := unitPaths(again, true), []string{"s/a.txt", "s/b.jsonl"}; !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	if got, want := articleIDs(again.Articles), []string{"live/1", "s/y", "s/d.txt"}; !slices.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
	// c.jsonl's duplicate of x (held, in b.jsonl) is still found.
	if len(again.Problems) != 2 || again.Problems[0].Path != "s/c.jsonl" || again.Problems[1].Path != "s/d.txt" {
		t.Errorf("problems %v", again.Problems)
	}

	// A changed file that takes an id of a later kept one: stale.
	fsys["a.txt"] = &fstest.MapFile{Data: []byte("date 2025-09-01\nبه گزارش ایرنا، خبری دیگر منتشر شد.")}
	if _, err := m.ArticlesSince(context.Background(), holdAll(first)); err != nil {
		t.Errorf("a changed file: %v", err)
	}
	fsys["a.jsonl"] = &fstest.MapFile{Data: []byte(`{"id":"x","text":"زودتر."}` + "\n")}
	if _, err := m.ArticlesSince(context.Background(), holdAll(first)); !errors.Is(err, ErrStale) {
		t.Errorf("an earlier file taking a held id: %v, want ErrStale", err)
	}
}
