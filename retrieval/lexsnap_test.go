package retrieval

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestSnapshotKeepsLexicalIndexes: the BM25 indexes read from the snapshot
// are the ones the sync built, to the bit, so a warm start ranks exactly
// as a cold one.
func TestSnapshotKeepsLexicalIndexes(t *testing.T) {
	dir := t.TempDir()
	built := newTestIndex(t, newCounting(), dir)
	mustSync(t, built, testCorpus())
	ix := newTestIndex(t, newCounting(), dir)
	if err := ix.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	want, got := built.cur.Load(), ix.cur.Load()
	for _, c := range []struct {
		name      string
		want, got *bm25
	}{{"chunks", want.lex, got.lex}, {"articles", want.docLex, got.docLex}, {"titles", want.titleLex, got.titleLex}} {
		if len(c.want.ids) == 0 {
			t.Fatalf("%s: empty index", c.name)
		}
		if !reflect.DeepEqual(c.want, c.got) {
			t.Errorf("%s: loaded index differs from the built one", c.name)
		}
	}
	for _, q := range []string{"وزیر دفاع عراق", "قیمت دلار", "یونسیف سیل گیلان"} {
		a, err := built.Search(context.Background(), Query{Text: q, K: 5})
		if err != nil {
			t.Fatal(err)
		}
		b, err := ix.Search(context.Background(), Query{Text: q, K: 5})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a.Passages, b.Passages) || !reflect.DeepEqual(a.Terms, b.Terms) {
			t.Errorf("%q: results differ after loading", q)
		}
	}
}

// TestLoadRejectsOldSnapshotVersion: a version 1 snapshot (no lexical
// section) is rejected, so the caller rebuilds.
func TestLoadRejectsOldSnapshotVersion(t *testing.T) {
	dir := t.TempDir()
	mustSync(t, newTestIndex(t, newCounting(), dir), testCorpus())
	path := filepath.Join(dir, snapshotName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	binary.BigEndian.PutUint32(data[8:], 1)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	err = newTestIndex(t, newCounting(), dir).Load(context.Background())
	if !errors.Is(err, ErrSnapshot) || !strings.Contains(err.Error(), "version 1") {
		t.Fatalf("got %v, want ErrSnapshot naming version 1", err)
	}
}

// TestLoadRejectsInconsistentLexicalIndex saves states whose lexical
// indexes a buggy writer could have produced (with a valid checksum): each
// must be rejected with ErrSnapshot, not panic later in Search.
func TestLoadRejectsInconsistentLexicalIndex(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(st *state)
	}{
		{"posting past the last chunk", func(st *state) { st.lex.postings[0][0].doc = int32(len(st.chunks)) }},
		{"postings out of order", func(st *state) {
			for _, ps := range st.docLex.postings {
				if len(ps) > 1 {
					ps[0], ps[1] = ps[1], ps[0]
					return
				}
			}
			panic("no term in two articles")
		}},
		{"zero frequency", func(st *state) { st.titleLex.postings[0][0].tf = 0 }},
		{"one article length missing", func(st *state) { st.docLex.docLen = st.docLex.docLen[1:] }},
		{"signature term unknown", func(st *state) { st.docLex.signature[0][0].term = int32(len(st.docLex.postings)) }},
		{"signatures missing", func(st *state) { st.docLex.signature = nil }},
		{"signatures where none belong", func(st *state) { st.lex.signature = st.docLex.signature }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := newTestIndex(t, newCounting(), "")
			mustSync(t, src, testCorpus())
			st := cloneLexical(src.cur.Load())
			tt.tamper(st)
			if err := saveSnapshot(dir, st); err != nil {
				t.Fatal(err)
			}
			ix := newTestIndex(t, newCounting(), dir)
			err := ix.Load(context.Background())
			if !errors.Is(err, ErrSnapshot) {
				t.Fatalf("got %v, want ErrSnapshot", err)
			}
			if got := ix.Stats().Chunks; got != 0 {
				t.Errorf("a rejected snapshot left %d chunks serving", got)
			}
		})
	}
}

// cloneLexical copies st with deep copies of its lexical indexes, which
// the tests above may change.
func cloneLexical(st *state) *state {
	c := *st
	cp := func(ix *bm25) *bm25 {
		n := *ix
		n.ids = make(map[string]int32, len(ix.ids))
		for t, id := range ix.ids {
			n.ids[t] = id
		}
		n.docLen = append([]float32(nil), ix.docLen...)
		n.postings = make([][]posting, len(ix.postings))
		for i, ps := range ix.postings {
			n.postings[i] = append([]posting(nil), ps...)
		}
		if ix.signature != nil {
			n.signature = make([][]weighted, len(ix.signature))
			for i, s := range ix.signature {
				n.signature[i] = append([]weighted(nil), s...)
			}
		}
		return &n
	}
	c.lex, c.docLex, c.titleLex = cp(st.lex), cp(st.docLex), cp(st.titleLex)
	return &c
}

// TestDecodeBM25RejectsDuplicateTerm: a vocabulary naming one term twice
// (two ids for one word) is rejected.
func TestDecodeBM25RejectsDuplicateTerm(t *testing.T) {
	var b []byte
	for _, v := range []uint64{1, 2, 2, 1, 1} { // 1 text of 2 terms; 2 terms of 1 byte
		b = binary.AppendUvarint(b, v)
	}
	b = append(b, "aa"...)
	for _, v := range []uint64{2, 1, 0, 1, 1, 0, 1, 0} { // 2 postings: (doc 0, tf 1) each; no signatures
		b = binary.AppendUvarint(b, v)
	}
	r := &lexReader{b: b}
	if ix := r.bm25(1, BM25Params{}, false); ix != nil || r.err == nil || !strings.Contains(r.err.Error(), "twice") {
		t.Fatalf("got %v, %v; want a duplicate-term error", ix, r.err)
	}
	b[5] = 'b' // "ab": now valid
	r = &lexReader{b: b}
	if ix := r.bm25(1, BM25Params{}, false); r.err != nil || len(ix.ids) != 2 || len(r.b) != 0 {
		t.Fatalf("valid section: %v, %+v", r.err, ix)
	}
}
