package feed

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/corpus/jsonfile"
)

// Source is the feeds' folder as a [corpus.Source]: the stored articles of
// every .jsonl file in it, whether a [Poller] runs (serve) or not (index,
// ask, /reload in another process): the files are the store, written
// atomically after every pass. Over a shared store ([NewStoreSource]) it
// reads every feed's articles there instead.
type Source struct {
	dir    string
	list   ArticleLister // instead of dir: a shared store
	prefix string
	load   corpus.LoadOptions
}

// ArticleLister is a store of every feed's articles: what a [Source] over
// a shared store reads (pgstate.Feeds is one).
type ArticleLister interface {
	// AllArticles returns every stored feed's .jsonl, by feed URL.
	AllArticles(ctx context.Context) (map[string][]byte, error)
}

var _ corpus.Source = (*Source)(nil)

// NewSource returns the source of the feeds stored in dir, their paths
// named prefix/<file> ("feeds/www.isna.ir-3f2a….jsonl"), read with the
// loader's options load. A dir that does not exist yet holds no feed.
func NewSource(dir, prefix string, load corpus.LoadOptions) *Source {
	return &Source{dir: dir, prefix: prefix, load: load}
}

// NewStoreSource returns the source of the feeds stored in list, each
// feed's articles named prefix/[FileName] as in a folder.
func NewStoreSource(list ArticleLister, prefix string, load corpus.LoadOptions) *Source {
	return &Source{list: list, prefix: prefix, load: load}
}

// Articles returns the stored articles, file by file in name order, each
// file's in its order. A bad line is skipped and reported.
func (s *Source) Articles(ctx context.Context) ([]corpus.Article, []corpus.Problem, error) {
	if s.list != nil {
		return s.stored(ctx)
	}
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, nil, nil // no feed yet, or DATA_DIR is unusable (the snapshot's save reports it)
	}
	if err != nil {
		return nil, nil, err
	}
	var (
		arts  []corpus.Article
		probs []corpus.Problem
	)
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !e.Type().IsRegular() || !strings.EqualFold(filepath.Ext(name), ".jsonl") {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		p := path.Join(s.prefix, name)
		recs, bad, err := jsonfile.ReadLines(filepath.Join(s.dir, name), validText)
		if err != nil {
			probs = append(probs, corpus.Problem{Path: p, Reason: "unreadable file: " + err.Error(), Skipped: true})
			continue
		}
		arts, probs = s.add(arts, probs, p, recs, bad)
	}
	return arts, probs, nil
}

func validText(r *record) bool { return r.Text != "" }

// add appends the articles of one file, named p, and its problems.
func (s *Source) add(arts []corpus.Article, probs []corpus.Problem, p string, recs []*record, bad []jsonfile.BadLine) ([]corpus.Article, []corpus.Problem) {
	for _, b := range bad {
		probs = append(probs, corpus.Problem{Path: p, Line: b.Line, Reason: b.Reason, Skipped: true})
	}
	for i, r := range recs {
		a, ps := r.fields().Article(p, i+1, s.load)
		probs = append(probs, ps...)
		if a.ID != "" {
			arts = append(arts, a)
		}
	}
	return arts, probs
}

// stored reads the articles of the shared store, feed by feed in the order
// of their file names.
func (s *Source) stored(ctx context.Context) ([]corpus.Article, []corpus.Problem, error) {
	all, err := s.list.AllArticles(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[string][]byte, len(all))
	for u, data := range all {
		names[FileName(u)] = data
	}
	var (
		arts  []corpus.Article
		probs []corpus.Problem
	)
	for _, name := range slices.Sorted(maps.Keys(names)) {
		recs, bad := jsonfile.DecodeLines(names[name], validText)
		arts, probs = s.add(arts, probs, path.Join(s.prefix, name), recs, bad)
	}
	return arts, probs, nil
}

// fields are the record's article fields.
func (r *record) fields() corpus.Fields {
	return corpus.Fields{ID: r.ID, Title: r.Title, Text: r.Text, Source: r.Source, Date: r.Date, URL: r.URL}
}
