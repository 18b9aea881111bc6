package weaviate

import (
	"context"
	"sort"
	"time"

	"github.com/khabar/khabar/retrieval"
)

const docFields = "aid title source url date text arrived _additional{id vector}"

// Documents returns the indexed articles dated within [from, to]
// (calendar dates, inclusive; a zero bound is open), newest first, then by
// id. Undated articles are left out when a bound is set.
func (s *Store) Documents(ctx context.Context, from, to time.Time) ([]retrieval.Document, error) {
	return s.documents(ctx, whereDates("date", from, to), func(d retrieval.Document) bool {
		if from.IsZero() && to.IsZero() {
			return true
		}
		return !d.Date.IsZero() && (from.IsZero() || !d.Date.Before(dateOnly(from))) && (to.IsZero() || !d.Date.After(dateOnly(to)))
	})
}

// Arrived returns the articles that entered the index (or changed) in
// (after, until], newest first by date, then by id.
func (s *Store) Arrived(ctx context.Context, after, until time.Time) ([]retrieval.Document, error) {
	return s.documents(ctx, whereAfter("arrived", after, until), func(d retrieval.Document) bool {
		return d.Arrived.After(after) && !d.Arrived.After(until)
	})
}

// documents lists the articles that where selects (keep says the same
// client-side). A selection larger than one query returns is read by
// listing every article instead.
func (s *Store) documents(ctx context.Context, where string, keep func(retrieval.Document) bool) ([]retrieval.Document, error) {
	v, err := s.current(ctx)
	if err != nil || v == nil || v.stale {
		return nil, err
	}
	var docs []retrieval.Document
	if where != "" {
		qctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
		rows, err := s.get(qctx, []sub{{class: v.names.article, where: where, limit: maxResults, fields: docFields}})
		cancel()
		if err != nil {
			return nil, err
		}
		if len(rows[0]) < maxResults {
			for _, r := range rows[0] {
				docs = append(docs, document(r))
			}
			sortDocuments(docs)
			return docs, nil
		}
	}
	after := ""
	for {
		qctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
		rows, err := s.get(qctx, []sub{{class: v.names.article, after: after, limit: 1000, fields: docFields}})
		cancel()
		if err != nil {
			return nil, err
		}
		for _, r := range rows[0] {
			if d := document(r); keep(d) {
				docs = append(docs, d)
			}
		}
		if len(rows[0]) < 1000 {
			break
		}
		after = str(additional(rows[0][len(rows[0])-1])["id"])
	}
	sortDocuments(docs)
	return docs, nil
}

func document(r map[string]any) retrieval.Document {
	return retrieval.Document{ID: str(r["aid"]), Title: str(r["title"]), Source: str(r["source"]), URL: str(r["url"]),
		Date: date(r["date"]), Text: str(r["text"]), Arrived: date(r["arrived"]), Vector: vectorOf(r)}
}

func sortDocuments(docs []retrieval.Document) {
	sort.SliceStable(docs, func(i, j int) bool {
		if !docs[i].Date.Equal(docs[j].Date) {
			return docs[i].Date.After(docs[j].Date)
		}
		return docs[i].ID < docs[j].ID
	})
}

// LatestDate returns the newest article date, or zero.
func (s *Store) LatestDate(ctx context.Context) (time.Time, error) {
	v, err := s.current(ctx)
	if err != nil || v == nil || v.stale {
		return time.Time{}, err
	}
	return v.info.Latest, nil
}

// HasArticles reports whether an article is dated within [from, to]
// (calendar dates, inclusive; a zero bound is open).
func (s *Store) HasArticles(ctx context.Context, from, to time.Time) (bool, error) {
	v, err := s.current(ctx)
	if err != nil || v == nil || v.stale {
		return false, err
	}
	where := whereDates("date", from, to)
	if where == "" {
		return v.info.Articles > 0, nil
	}
	qctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	rows, err := s.get(qctx, []sub{{class: v.names.article, where: where, limit: 1, fields: "aid"}})
	if err != nil {
		return false, err
	}
	return len(rows[0]) > 0, nil
}
