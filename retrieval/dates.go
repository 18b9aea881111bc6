package retrieval

import "time"

// HasArticles reports whether the index holds an article dated within
// [from, to] (calendar dates, inclusive; a zero bound is open).
func (ix *Index) HasArticles(from, to time.Time) bool {
	st := ix.cur.Load()
	keep := st.articleFilter(from, to)
	for a := range st.articles {
		if keep == nil || keep(a) {
			return true
		}
	}
	return false
}
