// Package evaluation measures retrieval and answers on evaluation sets
// (corpus.jsonl + questions.jsonl, formats in ../shared/eval/README.md):
// success@1, @5 and @10, MRR@10, nDCG@10 and recall@100 at article level, latency, and
// for sets with gold answers the answer recall and the "not found"
// precision and recall of the whole answer path.
package evaluation
