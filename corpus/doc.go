// Package corpus is the news corpus: the [Article] every part of khabar
// reads, the loader of article folders ([Load]: .txt and .md files in the
// seed format, .jsonl files one article a line), the [Problem]s it
// reports instead of failing, and the [Source]s the index is fed from: a
// folder ([Folder]), the live feeds (corpus/feed) and channel posts
// (corpus/channel), combined by [Multi].
//
// It imports persian (dates, outlets in leads, sentences) and
// corpus/jsonfile (atomic writes); retrieval imports it, never the reverse.
package corpus
