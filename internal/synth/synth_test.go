package synth

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/persian"
)

const sample = `{"id": "a1", "title": "سال ۱۴۰۲ و ۲۵ درصد", "text": "قیمت نفت به ۸۵ دلار رسید. تولید روزانه ۳ میلیون بشکه است.\nصادرات در سال 2023 بیشتر شد! وزیر گفت: «بازار آرام است». بانک مرکزی نرخ را ٤٥ درصد اعلام کرد؟ پایان.", "url": "https://example.com/1", "date": "2023-05-01"}
not json
{"id": "empty", "text": "  "}

{"id": "a2", "title": "دوم", "text": "تنها یک جمله."}
`

func TestReadJSONL(t *testing.T) {
	arts, skipped, err := ReadJSONL(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 2 || arts[0].ID != "a1" || arts[1].ID != "a2" || skipped != 2 {
		t.Fatalf("got %d articles (%+v), %d skipped; want a1, a2 and 2 skipped", len(arts), arts, skipped)
	}
	if _, _, err := ReadJSONL(strings.NewReader("nope\n")); err == nil {
		t.Fatal("a corpus without articles gave no error")
	}
}

// masked replaces every digit by '#', so texts that differ only in their
// numbers compare equal.
func masked(s string) string {
	return strings.Map(func(c rune) rune {
		if _, ok := digitZero(c); ok {
			return '#'
		}
		return c
	}, s)
}

func sentences(text string) []string {
	var out []string
	for _, s := range persian.Sentences(text) {
		out = append(out, masked(s.Text))
	}
	slices.Sort(out)
	return out
}

func TestPerturb(t *testing.T) {
	arts, _, err := ReadJSONL(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	src := arts[0]
	from, to := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 12, 31, 0, 0, 0, 0, time.UTC)
	opts := Options{Seed: 7, From: from, To: to}
	r := rand.New(rand.NewPCG(1, 2))
	ids := map[string]bool{}
	dates := map[string]bool{}
	var reordered, renumbered bool
	for copyNo := range 40 {
		p := Perturb(src, r, copyNo, opts)
		if p.ID == src.ID || ids[p.ID] {
			t.Fatalf("copy %d: id %q is not new", copyNo, p.ID)
		}
		ids[p.ID] = true
		d, err := time.Parse(time.DateOnly, p.Date)
		if err != nil || d.Before(from) || d.After(to) {
			t.Fatalf("copy %d: date %q outside [%v, %v] (%v)", copyNo, p.Date, from, to, err)
		}
		dates[p.Date] = true
		// The same sentences, numbers aside, in some order.
		if got, want := sentences(p.Text), sentences(src.Text); !slices.Equal(got, want) {
			t.Fatalf("copy %d: sentences\n%q\nwant (any order)\n%q", copyNo, got, want)
		}
		if masked(p.Title) != masked(src.Title) {
			t.Fatalf("copy %d: title %q, want %q up to its numbers", copyNo, p.Title, src.Title)
		}
		var order []string
		for _, s := range persian.Sentences(p.Text) {
			order = append(order, masked(s.Text))
		}
		var srcOrder []string
		for _, s := range persian.Sentences(src.Text) {
			srcOrder = append(srcOrder, masked(s.Text))
		}
		reordered = reordered || !slices.Equal(order, srcOrder)
		renumbered = renumbered || p.Text != strings.Join(srcOrderRaw(src.Text, order), "\n")
		if p.URL == src.URL || !strings.HasPrefix(p.URL, src.URL) {
			t.Fatalf("copy %d: url %q", copyNo, p.URL)
		}
	}
	if !reordered {
		t.Error("no copy has its sentences in a new order")
	}
	if !renumbered {
		t.Error("no copy has new numbers")
	}
	if len(dates) < 30 {
		t.Errorf("40 copies got only %d distinct dates", len(dates))
	}
}

// srcOrderRaw returns the source's sentences (unmasked) in the order the
// masked list gives, to tell a shuffle from a number substitution.
func srcOrderRaw(text string, order []string) []string {
	byMask := map[string]string{}
	for _, s := range persian.Sentences(text) {
		byMask[masked(s.Text)] = s.Text
	}
	out := make([]string, len(order))
	for i, m := range order {
		out[i] = byMask[m]
	}
	return out
}

func TestSubstituteNumbers(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	in := "در سال ۱۴۰۲ نرخ ٤٥ درصد و 2023 با 07 و 0 بود"
	changed := false
	for range 20 {
		out := SubstituteNumbers(in, r)
		if masked(out) != masked(in) {
			t.Fatalf("%q: not the same text up to digits: %q", in, out)
		}
		inR, outR := []rune(in), []rune(out)
		for i, c := range inR {
			z, ok := digitZero(c)
			if !ok {
				continue
			}
			oz, _ := digitZero(outR[i])
			if oz != z {
				t.Fatalf("%q → %q: digit %d changed script", in, out, i)
			}
			if first := i == 0 || !isDigit(inR[i-1]); first && c != z && outR[i] == z {
				t.Fatalf("%q → %q: a number now starts with zero", in, out)
			}
		}
		changed = changed || out != in
	}
	if !changed {
		t.Fatal("20 substitutions left the numbers as they were")
	}
}

func isDigit(c rune) bool { _, ok := digitZero(c); return ok }

func TestGeneratorDeterministic(t *testing.T) {
	arts, _, err := ReadJSONL(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	run := func() []byte {
		g, err := New(arts, Options{Seed: 42})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, g, 7); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a, b := run(), run()
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different corpora")
	}
	back, skipped, err := ReadJSONL(bytes.NewReader(a))
	if err != nil || skipped != 0 || len(back) != 7 {
		t.Fatalf("read back %d articles, %d skipped, %v; want 7", len(back), skipped, err)
	}
	ids := map[string]bool{}
	for _, x := range back {
		ids[x.ID] = true
	}
	if len(ids) != 7 {
		t.Fatalf("%d distinct ids in 7 articles", len(ids))
	}
	if _, err := New(nil, Options{}); err == nil {
		t.Fatal("New without articles gave no error")
	}
}
