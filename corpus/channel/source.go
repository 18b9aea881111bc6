package channel

import (
	"cmp"
	"context"
	"maps"
	"path"
	"slices"

	"github.com/khabar/khabar/corpus"
)

// Source is the store as a [corpus.Source]: the posts of the channels that
// count, as the articles their .jsonl files give the loader.
type Source struct {
	store  *Store
	prefix string
	load   corpus.LoadOptions
}

var _ corpus.Source = (*Source)(nil)

// Source returns the store as a source of articles whose paths are
// prefix/<the channel's file> ("channels/channel-100123.jsonl"), read
// with the loader's options load.
func (s *Store) Source(prefix string, load corpus.LoadOptions) *Source {
	return &Source{store: s, prefix: prefix, load: load}
}

// Articles returns the articles of the counted channels' posts, channel by
// channel in file-name order, each channel's in message order (the order
// of its file).
func (src *Source) Articles(ctx context.Context) ([]corpus.Article, []corpus.Problem, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	s := src.store
	s.mu.Lock()
	defer s.mu.Unlock()
	type channelFile struct {
		name string
		recs []*record
	}
	var files []channelFile
	for _, e := range s.chans {
		if !s.countedLocked(e) || len(e.posts) == 0 {
			continue
		}
		recs := slices.SortedFunc(maps.Values(e.posts), func(a, b *record) int { return cmp.Compare(a.MessageID, b.MessageID) })
		files = append(files, channelFile{path.Join(src.prefix, fileName(e.st.ID)), recs})
	}
	slices.SortFunc(files, func(a, b channelFile) int { return cmp.Compare(a.name, b.name) })
	var (
		arts  []corpus.Article
		probs []corpus.Problem
	)
	for _, f := range files {
		for i, r := range f.recs {
			a, ps := r.fields().Article(f.name, i+1, src.load)
			probs = append(probs, ps...)
			if a.ID != "" {
				arts = append(arts, a)
			}
		}
	}
	return arts, probs, nil
}

// fields are the record's article fields.
func (r *record) fields() corpus.Fields {
	return corpus.Fields{ID: r.ID, Title: r.Title, Text: r.Text, Source: r.Source, Date: r.Date, URL: r.URL}
}
