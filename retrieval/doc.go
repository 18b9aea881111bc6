// Package retrieval owns the news corpus and the search over it: loading
// articles from an fs.FS, chunking, embedding, the chromem-go index with its
// snapshot, BM25 lexical ranking, the hybrid search and the relevance of
// its results ([ScoreRelevance]). [Store] is the seam an external engine
// implements beside [Index]; retrieval/retrievaltest checks both.
//
// It imports persian only; it knows nothing of Telegram, prompts or answers.
package retrieval
