// Command bleve times the peer of issue 14: it indexes every article of
// the given corpus.jsonl files (title + text) into a fresh bleve v2.6.3
// index in a temp dir, with bleve's Persian analyzer on both fields and
// its default scoring, in batches, and prints one JSON line:
//
//	{"articles":N,"index_seconds":S,"close_seconds":C}
//
// index_seconds runs from creating the index to the return of the last
// batch (bleve's scorch persists each batch before Batch returns), after
// the corpora are read and parsed — as `khabar eval` times SyncArticles
// alone. close_seconds is the Close after it (waiting for background
// merges), reported apart and counted in neither.
//
// A separate module (tools/bleve/go.mod), so bleve's dependency graph never
// touches khabar's go.mod:
//
//	go -C tools/bleve run . -corpus "$PWD/../shared/eval/hamshahri-ir/corpus.jsonl"
//
// from the repository root (a relative -corpus is taken from tools/bleve,
// go -C's directory).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/fa"
	"github.com/blevesearch/bleve/v2/mapping"
)

// article is what is indexed of one corpus.jsonl line.
type article struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// line is one corpus.jsonl line as read.
type line struct {
	ID string `json:"id"`
	article
}

// doc is one article to index under its id.
type doc struct {
	id string
	article
}

// result is the printed line.
type result struct {
	Articles     int     `json:"articles"`
	IndexSeconds float64 `json:"index_seconds"`
	CloseSeconds float64 `json:"close_seconds"`
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "bleve:", err)
		}
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("bleve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var corpora listFlag
	fl.Var(&corpora, "corpus", "corpus.jsonl to index (repeatable; indexed together)")
	batch := fl.Int("batch", 100, "articles per bleve batch")
	if err := fl.Parse(args); err != nil {
		return err
	}
	switch {
	case fl.NArg() > 0:
		return fmt.Errorf("no arguments expected, got %q (corpora go with -corpus)", fl.Arg(0))
	case len(corpora) == 0:
		return errors.New("-corpus FILE.jsonl is required")
	case *batch < 1:
		return fmt.Errorf("-batch must be at least 1, got %d", *batch)
	}
	docs, err := readCorpora(corpora)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "khabar-bleve-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ix, res, err := build(dir+"/index", docs, *batch)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := ix.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	res.CloseSeconds = time.Since(t0).Seconds()
	return json.NewEncoder(stdout).Encode(res)
}

// newMapping is the peer's mapping: title and text analysed by bleve's
// Persian analyzer ("fa"), everything else of the article left out, the
// default scoring model.
func newMapping() *mapping.IndexMappingImpl {
	field := bleve.NewTextFieldMapping()
	field.Analyzer = fa.AnalyzerName
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("title", field)
	dm.AddFieldMappingsAt("text", field)
	im := bleve.NewIndexMapping()
	im.DefaultAnalyzer = fa.AnalyzerName
	im.DefaultMapping = dm
	return im
}

// build indexes docs into a new index at path, batchSize at a time, and
// returns the open index and the timing; the index holds every doc or an
// error is returned.
func build(path string, docs []doc, batchSize int) (bleve.Index, result, error) {
	start := time.Now()
	ix, err := bleve.New(path, newMapping())
	if err != nil {
		return nil, result{}, fmt.Errorf("new index: %w", err)
	}
	b := ix.NewBatch()
	for i, d := range docs {
		if err := b.Index(d.id, d.article); err != nil {
			ix.Close()
			return nil, result{}, fmt.Errorf("article %q: %w", d.id, err)
		}
		if b.Size() >= batchSize || i == len(docs)-1 {
			if err := ix.Batch(b); err != nil {
				ix.Close()
				return nil, result{}, fmt.Errorf("batch: %w", err)
			}
			b.Reset()
		}
	}
	res := result{Articles: len(docs), IndexSeconds: time.Since(start).Seconds()}
	n, err := ix.DocCount()
	if err == nil && n != uint64(len(docs)) {
		err = fmt.Errorf("index holds %d articles, %d were given", n, len(docs))
	}
	if err != nil {
		ix.Close()
		return nil, result{}, err
	}
	return ix, res, nil
}

// readCorpora reads every article of the files; an id seen twice is an
// error (the index would hold it once).
func readCorpora(paths []string) ([]doc, error) {
	var docs []doc
	seen := map[string]string{}
	for _, p := range paths {
		n := 0
		err := eachLine(p, func(no int, text []byte) error {
			var l line
			if err := json.Unmarshal(text, &l); err != nil {
				return err
			}
			if l.ID == "" {
				return errors.New("no id")
			}
			if prev, ok := seen[l.ID]; ok {
				return fmt.Errorf("id %q already in %s", l.ID, prev)
			}
			seen[l.ID] = p
			docs = append(docs, doc{id: l.ID, article: l.article})
			n++
			return nil
		})
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: no articles", p)
		}
	}
	return docs, nil
}

// eachLine calls f with every non-blank line of the file and its number
// (from 1); an error names the file and line.
func eachLine(path string, f func(no int, text []byte) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	br := bufio.NewReader(file)
	for no := 1; ; no++ {
		text, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("%s: %w", path, err)
		}
		if t := bytes.TrimSpace(text); len(t) > 0 {
			if ferr := f(no, t); ferr != nil {
				return fmt.Errorf("%s:%d: %w", path, no, ferr)
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}
