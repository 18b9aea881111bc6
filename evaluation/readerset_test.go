package evaluation

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/khabar/khabar/persian"
)

// seedText returns the canonical text of every article of seeds/, each
// padded with spaces for whole-token matching.
func seedText(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("seeds: %v", err)
	}
	var texts []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(f, ".jsonl") {
			texts = append(texts, " "+persian.Canonical(string(b))+" ")
			continue
		}
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var a struct{ Title, Text string }
			if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			texts = append(texts, " "+persian.Canonical(a.Title+" "+a.Text)+" ")
		}
	}
	return texts
}

// TestRepositoryReaderSet checks the repository's reader set: it reads,
// it is large enough, every category has items, and every string it
// accepts or forbids is quoted from the seeds' own text, so the set
// measures the corpus and not one day's outputs.
func TestRepositoryReaderSet(t *testing.T) {
	set, err := ReadReaderSet(filepath.Join("..", "testdata", "reader"))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Items) < 150 {
		t.Errorf("%d items, want at least 150", len(set.Items))
	}
	per := map[string]int{}
	for _, it := range set.Items {
		per[it.Category]++
	}
	for _, c := range ReaderCategories {
		if per[c] < 8 {
			t.Errorf("category %s: %d items, want at least 8", c, per[c])
		}
	}
	if _, err := os.Stat(set.Corpus); err != nil {
		t.Fatalf("corpus: %v", err)
	}
	texts := seedText(t, set.Corpus)
	inSeeds := func(s string) bool {
		c := " " + persian.Canonical(s) + " "
		for _, tx := range texts {
			if strings.Contains(tx, c) {
				return true
			}
		}
		return false
	}
	check := func(it ReaderItem, e Expectation) {
		var strs []string
		if e.Expect != ExpectChat {
			strs = append(strs, e.Answers...)
			for _, g := range e.All {
				strs = append(strs, g...)
			}
		}
		strs = append(strs, e.Forbidden...)
		strs = append(strs, e.Outlets...)
		for _, s := range strs {
			if !inSeeds(s) {
				t.Errorf("%s: %q is not in the seeds", it.ID, s)
			}
		}
	}
	for _, it := range set.Items {
		check(it, it.Expectation)
		if it.LLM != nil {
			check(it, *it.LLM)
		}
	}
}
