// Package retrieval owns the search over the news corpus: chunking,
// embedding, the chromem-go index with its snapshot, BM25 lexical ranking,
// the hybrid search and the relevance of its results ([ScoreRelevance]).
// The articles come from package corpus. [Store] is the seam an external
// engine implements beside [Index]; retrieval/retrievaltest checks both.
//
// It imports corpus and persian only; it knows nothing of Telegram,
// prompts or answers.
package retrieval
