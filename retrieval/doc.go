// Package retrieval owns the search over the news corpus: chunking,
// embedding, the chromem-go index with its snapshot, BM25 lexical ranking
// and the hybrid search. The articles come from package corpus.
//
// It imports corpus and persian only; it knows nothing of Telegram,
// prompts or answers.
package retrieval
