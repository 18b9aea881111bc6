package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
)

// writeCorpus writes lines to a corpus.jsonl in a temp dir.
func writeCorpus(t *testing.T, name string, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunPrintsArticlesOfEveryCorpus(t *testing.T) {
	a := writeCorpus(t, "a.jsonl",
		`{"id":"a1","title":"قیمت نفت","text":"قیمت نفت امروز بالا رفت.","source":"s","date":"2024-01-02","url":""}`,
		``,
		`{"id":"a2","title":"بازسازی بم","text":"بازسازی شهر زلزله‌زده بم ادامه دارد."}`)
	b := writeCorpus(t, "b.jsonl", `{"id":"b1","title":"کتاب","text":"نمایشگاه کتاب تهران"}`)
	var out, errOut bytes.Buffer
	// A batch of 2 leaves a last, partial batch: it must be indexed too.
	if err := run([]string{"-corpus", a, "-corpus", b, "-batch", "2"}, &out, &errOut); err != nil {
		t.Fatalf("run: %v (stderr %q)", err, errOut.String())
	}
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Fatalf("want one JSON line, got %d: %q", n, out.String())
	}
	var res map[string]float64
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if res["articles"] != 3 {
		t.Errorf("articles = %v, want 3 (%s)", res["articles"], out.String())
	}
	if _, ok := res["index_seconds"]; !ok || res["index_seconds"] <= 0 {
		t.Errorf("index_seconds missing or not positive: %s", out.String())
	}
}

// The fields go through the Persian analyzer: an Arabic yeh and kaf in
// the query (as in hamshahri's old texts) find the Persian letters.
func TestBuildUsesPersianAnalyzer(t *testing.T) {
	docs := []doc{
		{id: "x", article: article{Title: "نمایشگاه کتاب", Text: "خبر"}},
		{id: "y", article: article{Title: "ورزش", Text: "فوتبال تهران"}},
	}
	ix, res, err := build(filepath.Join(t.TempDir(), "ix"), docs, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if res.Articles != 2 {
		t.Errorf("articles = %d, want 2", res.Articles)
	}
	q := bleve.NewMatchQuery("كتاب") // U+0643 ARABIC LETTER KAF
	q.SetField("title")
	sr, err := ix.Search(bleve.NewSearchRequest(q))
	if err != nil {
		t.Fatal(err)
	}
	if sr.Total != 1 || sr.Hits[0].ID != "x" {
		t.Errorf("title search for Arabic-kaf كتاب: %d hits %v, want x alone", sr.Total, sr.Hits)
	}
	q = bleve.NewMatchQuery("تهران")
	q.SetField("text")
	if sr, err = ix.Search(bleve.NewSearchRequest(q)); err != nil {
		t.Fatal(err)
	}
	if sr.Total != 1 || sr.Hits[0].ID != "y" {
		t.Errorf("text search for تهران: %d hits %v, want y alone", sr.Total, sr.Hits)
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	dup := writeCorpus(t, "dup.jsonl", `{"id":"a","title":"t","text":"x"}`)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no corpus", nil, "-corpus"},
		{"missing file", []string{"-corpus", filepath.Join(t.TempDir(), "none.jsonl")}, "no such file"},
		{"bad json", []string{"-corpus", writeCorpus(t, "bad.jsonl", `{"id":"a"}`, `{"id":`)}, "bad.jsonl:2"},
		{"no id", []string{"-corpus", writeCorpus(t, "noid.jsonl", `{"title":"t","text":"x"}`)}, "no id"},
		{"empty", []string{"-corpus", writeCorpus(t, "empty.jsonl", ``)}, "no articles"},
		{"duplicate id", []string{"-corpus", dup, "-corpus", dup}, "already in"},
		{"batch", []string{"-corpus", dup, "-batch", "0"}, "-batch"},
		{"argument", []string{"-corpus", dup, "extra"}, "no arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(tc.args, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
			if out.Len() > 0 {
				t.Errorf("printed %q on error", out.String())
			}
		})
	}
}
