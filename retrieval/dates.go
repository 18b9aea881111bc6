package retrieval

import (
	"context"
	"time"
)

// HasArticles reports whether the index holds an article dated within
// [from, to] (calendar dates, inclusive; a zero bound is open). It fails
// only when ctx is done.
func (ix *Index) HasArticles(ctx context.Context, from, to time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	st := ix.cur.Load()
	keep := st.articleFilter(from, to)
	for a := range st.articles {
		if keep == nil || keep(a) {
			return true, nil
		}
	}
	return false, nil
}
