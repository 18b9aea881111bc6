package retrieval

import (
	"context"
	"runtime"
	"sort"
	"time"
)

// Document is an indexed article as a whole: its metadata, its text put
// back together from its chunks, and a vector that sums up its chunks.
type Document struct {
	ID     string
	Title  string
	Source string
	URL    string
	Date   time.Time
	// Text is the article's text (without the title).
	Text string
	// Vector is the normalised mean of the article's chunk vectors (nil
	// when the index has none); the dot product of two is their cosine.
	Vector []float32
	// Arrived is when the article, as it is now, entered the index: the
	// latest arrival of its chunks.
	Arrived time.Time
}

// Documents returns the indexed articles dated within [from, to]
// (calendar dates, inclusive; a zero bound is open), newest first, then by
// id. Undated articles are left out when a bound is set. It fails only
// when ctx is done.
func (ix *Index) Documents(ctx context.Context, from, to time.Time) ([]Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := ix.cur.Load()
	keep := st.articleFilter(from, to)
	var docs []Document
	for a := range st.articles {
		if keep != nil && !keep(a) {
			continue
		}
		docs = append(docs, st.document(a))
	}
	sortDocuments(docs)
	return docs, nil
}

// Arrived returns the articles that entered the index (or changed) in
// (after, until], newest first by date, then by id. It fails only when
// ctx is done.
func (ix *Index) Arrived(ctx context.Context, after, until time.Time) ([]Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := ix.cur.Load()
	var docs []Document
	for a := range st.articles {
		d := st.document(a)
		if d.Arrived.After(after) && !d.Arrived.After(until) {
			docs = append(docs, d)
		}
	}
	sortDocuments(docs)
	return docs, nil
}

func sortDocuments(docs []Document) {
	sort.SliceStable(docs, func(i, j int) bool {
		if !docs[i].Date.Equal(docs[j].Date) {
			return docs[i].Date.After(docs[j].Date)
		}
		return docs[i].ID < docs[j].ID
	})
}

// LatestDate returns the newest article date in the index, or zero. It
// fails only when ctx is done.
func (ix *Index) LatestDate(ctx context.Context) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	st := ix.cur.Load()
	var latest time.Time
	for a := range st.articles {
		if d := st.chunks[st.artStart[a]].Date; d.After(latest) {
			latest = d
		}
	}
	return latest, nil
}

// document puts article a together. Its strings are copies (the text is
// built, the others cloned): the chunks may be views of the snapshot's
// mapping, which must not outlive the state (mapfile.go).
func (st *state) document(a int) Document {
	defer runtime.KeepAlive(st) // its mapping, until the last read of it
	chunks := st.chunks[st.artStart[a]:st.artStart[a+1]]
	first := chunks[0]
	d := Document{ID: cloneString(first.ArticleID), Title: cloneString(first.Title), Source: cloneString(first.Source),
		URL: cloneString(first.URL), Date: first.Date}
	for _, c := range chunks {
		if c.Arrived.After(d.Arrived) {
			d.Arrived = c.Arrived
		}
	}
	full := articleText(chunks)
	d.Text = full[len(first.Title)+1:]
	if st.vecs.dim > 0 {
		v := make([]float32, st.vecs.dim)
		for row := st.artStart[a]; row < st.artStart[a+1]; row++ {
			for i, x := range st.vecs.row(int(row)) {
				v[i] += x
			}
		}
		if normalizeInPlace(v) {
			d.Vector = v
		}
	}
	return d
}
