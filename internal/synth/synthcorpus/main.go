// Command synthcorpus writes a synthetic corpus.jsonl of about -chunks
// chunks (as the index chunks them with the default CHUNK_WORDS and
// CHUNK_MAX_WORDS and -overlap), made of perturbed copies
// of the real articles in the -in files (see package synth):
//
//	go run ./internal/synth/synthcorpus -in ../shared/eval/hamshahri-ir/corpus.jsonl \
//	    -in ../shared/eval/farsnews-corpus/corpus.jsonl -chunks 100000 -out $SEEDS/synth.jsonl
//
// The loader reads .jsonl files of at most 512 MiB, so large corpora are
// split into numbered files (-out synth.jsonl gives synth-000.jsonl, …).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/internal/synth"
	"github.com/khabar/khabar/retrieval"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func main() {
	var in multi
	flag.Var(&in, "in", "a source corpus.jsonl (repeatable)")
	chunks := flag.Int("chunks", 100000, "chunks to generate (at least)")
	out := flag.String("out", "", "output path (.jsonl); split into NAME-000.jsonl, … past -split bytes")
	split := flag.Int64("split", 400<<20, "bytes per output file")
	seed := flag.Uint64("seed", 1, "random seed")
	overlap := flag.Int("overlap", 1, "sentences of overlap the index will chunk with (CHUNK_OVERLAP, default 1)")
	flag.Parse()
	if len(in) == 0 || *out == "" || *chunks <= 0 {
		fmt.Fprintln(os.Stderr, "usage: synthcorpus -in corpus.jsonl [-in …] -chunks N -out synth.jsonl")
		os.Exit(2)
	}
	if err := run(in, *out, *chunks, *split, *seed, retrieval.ChunkOptions{Overlap: *overlap}); err != nil {
		fmt.Fprintln(os.Stderr, "synthcorpus:", err)
		os.Exit(1)
	}
}

func run(in []string, out string, chunks int, split int64, seed uint64, copts retrieval.ChunkOptions) error {
	var src []synth.Article
	for _, p := range in {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		arts, skipped, err := synth.ReadJSONL(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		fmt.Fprintf(os.Stderr, "%s: %d articles (%d lines skipped)\n", p, len(arts), skipped)
		src = append(src, arts...)
	}
	g, err := synth.New(src, synth.Options{Seed: seed})
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(out, ".jsonl")
	var (
		f              *os.File
		files, written int
		size           int64
		articles, n    int
		buf            bytes.Buffer
	)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	closeFile := func() error {
		if f == nil {
			return nil
		}
		err := f.Close()
		f = nil
		return err
	}
	for n < chunks {
		a := g.Next()
		n += len(retrieval.ChunkArticle(corpus.Article{ID: a.ID, Title: a.Title, Text: a.Text}, copts))
		articles++
		buf.Reset()
		if err := enc.Encode(a); err != nil {
			return err
		}
		if f == nil || size+int64(buf.Len()) > split {
			if err := closeFile(); err != nil {
				return err
			}
			name := fmt.Sprintf("%s-%03d.jsonl", base, files)
			if f, err = os.Create(name); err != nil {
				return err
			}
			files++
			size = 0
		}
		if _, err := f.Write(buf.Bytes()); err != nil {
			return err
		}
		size += int64(buf.Len())
		written += buf.Len()
	}
	if err := closeFile(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d articles, %d chunks, %d files, %.1f MB\n", articles, n, files, float64(written)/(1<<20))
	return nil
}
