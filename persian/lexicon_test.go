package persian

import (
	"strings"
	"testing"
)

// TestSpokenEntries checks every line of lexicon/spoken.tsv: both sides
// have words, they differ once canonical, a spoken form is listed once,
// and a written form is not itself a spoken form (no chains).
func TestSpokenEntries(t *testing.T) {
	entries := SpokenEntries()
	if len(entries) < 100 {
		t.Fatalf("%d spoken entries, want a lexicon of at least 100", len(entries))
	}
	seen := map[string]int{}
	for _, e := range entries {
		keys := strings.Join(spokenKeys(e.Spoken), " ")
		written := Canonical(e.Written)
		switch {
		case keys == "" || written == "":
			t.Errorf("line %d: %q → %q has an empty side", e.Line, e.Spoken, e.Written)
		case keys == written:
			t.Errorf("line %d: %q → %q changes nothing", e.Line, e.Spoken, e.Written)
		case seen[keys] != 0:
			t.Errorf("line %d: %q is already listed on line %d", e.Line, e.Spoken, seen[keys])
		}
		seen[keys] = e.Line
		if e.Spoken != strings.TrimSpace(e.Spoken) || e.Written != strings.TrimSpace(e.Written) {
			t.Errorf("line %d: stray spaces in %q → %q", e.Line, e.Spoken, e.Written)
		}
	}
	for _, e := range entries {
		if got := Written(e.Spoken); got != Canonical(e.Written) {
			t.Errorf("line %d: Written(%q) = %q, want %q", e.Line, e.Spoken, got, Canonical(e.Written))
		}
		if l, ok := seen[Canonical(e.Written)]; ok && Canonical(e.Written) != strings.Join(spokenKeys(e.Written), " ") {
			continue // a written form with harakat keys differently
		} else if ok {
			t.Errorf("line %d: written form %q is itself a spoken form (line %d)", e.Line, e.Written, l)
		}
	}
}

// TestSynonymGroups checks every line of lexicon/synonyms.tsv: at least two
// members, each with a content word, no member twice, and every member
// listed among the synonyms of every other one.
func TestSynonymGroups(t *testing.T) {
	groups := SynonymGroups()
	if members := 0; true {
		for _, g := range groups {
			members += len(g.Members)
		}
		if members < 250 {
			t.Fatalf("%d synonym entries, want a lexicon of at least 250", members)
		}
	}
	for _, g := range groups {
		if len(g.Members) < 2 {
			t.Errorf("line %d: a group of one: %q", g.Line, g.Members)
		}
		seen := map[string]bool{}
		for _, m := range g.Members {
			key := strings.Join(Terms(m), " ")
			switch {
			case key == "":
				t.Errorf("line %d: member %q has no content word", g.Line, m)
			case seen[key]:
				t.Errorf("line %d: member %q repeats another (%s)", g.Line, m, key)
			case m != strings.TrimSpace(m):
				t.Errorf("line %d: stray spaces in %q", g.Line, m)
			}
			seen[key] = true
		}
		for _, a := range g.Members {
			for _, b := range g.Members {
				ta, tb := Terms(a), Terms(b)
				if a == b || len(ta) == 0 || len(tb) == 0 || ta[0] == tb[0] {
					continue
				}
				found := false
				for _, s := range Synonyms(ta[0]) {
					if s.Term == tb[0] && s.Weight > 0 && s.Weight < 1 {
						found = true
					}
				}
				if !found {
					t.Errorf("line %d: %q does not expand to %q", g.Line, a, b)
				}
			}
		}
	}
}

func TestWritten(t *testing.T) {
	tests := []struct{ give, want string }{
		{"خط ده مترو کِی راه افتاد؟", "خط ده مترو کی افتتاح شد"},
		{"دولت گندم رو کیلویی چند از کشاورزا می‌خره؟", "دولت گندم را قیمت هر کیلوگرم چند از کشاورزان میخرد"},
		{"گندم رو کیلویی از کشاورزا میخره", "گندم را هر کیلوگرم از کشاورزان میخرد"},
		{"تو سیل مازندران کسی مُرد؟", "در سیل مازندران تلفات داشت"},
		{"چند نفر مُردن؟", "چند نفر فوت کردند"},
		{"آن مرد کیست؟", "ان مرد کیست"}, // «مرد» without harakat is a man
		{"قیمت دلار چقدر است؟", "قیمت دلار چقدر است"},
		// The spoken copula «‌ست» after «ه», and spoken forms of the reader set.
		{"جاده چالوس هنوز بسته‌ست؟", "جاده چالوس هنوز بسته است"},
		{"هوای تهران چطوره؟ آلوده‌ست؟", "هوای تهران چگونه است الوده است"},
		{"آب سدای تهران چقدر ته کشیده؟ چند درصد پرن؟", "اب سدهای تهران چقدر کاهش یافته چند درصد پر هستند"},
		{"بازی بعدیش با کیه؟", "بازی بعدی ان با کیست"},
		{"کِی ثبت‌نام شروع میشه؟", "کی ثبتنام اغاز میشود"},
		{"چند درصد قبول‌شدگان خانم‌ها هستند؟", "چند درصد پذیرفتهشدگان زنان هستند"},
		{"فهرست نامزدها هست", "فهرست نامزدها هست"}, // no «ه» before «ست»
		{"", ""},
	}
	for _, tt := range tests {
		if got := Written(tt.give); got != tt.want {
			t.Errorf("Written(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestSynonymsClasses(t *testing.T) {
	has := func(term, want string) bool {
		for _, s := range Synonyms(term) {
			if s.Term == want {
				return true
			}
		}
		return false
	}
	for _, tt := range []struct{ term, want string }{
		{"قیمت", "نرخ"},
		{"نرخ", "قیمت"},
		{"تلفات", "کشته"},
		{"فوت", "تلفات"},
		{"افتتاح", "بهرهبرداری"},
		{"افتتاح", "راهاندازی"},
		{"امریکا", "ایال"},
		{"میخرد", "خرید"},
	} {
		if !has(tt.term, tt.want) {
			t.Errorf("Synonyms(%q) lacks %q: %v", tt.term, tt.want, Synonyms(tt.term))
		}
	}
	if s := Synonyms("استقلال"); s != nil {
		t.Errorf("a team's name has synonyms: %v", s)
	}
}

// TestContrastClasses checks every line of lexicon/contrast.tsv: at least
// three members, each with content words, none twice, and each found as a
// member of its class.
func TestContrastClasses(t *testing.T) {
	classes := ContrastClasses()
	if len(classes) < 8 {
		t.Fatalf("%d contrast classes", len(classes))
	}
	for ci, c := range classes {
		if len(c.Members) < 3 {
			t.Errorf("line %d: a class of %d", c.Line, len(c.Members))
		}
		seen := map[string]bool{}
		for _, m := range c.Members {
			key := strings.Join(Terms(m), " ")
			switch {
			case key == "":
				t.Errorf("line %d: member %q has no content word", c.Line, m)
			case seen[key]:
				t.Errorf("line %d: member %q repeats another", c.Line, m)
			}
			seen[key] = true
			found := false
			for _, i := range Contrasts(key) {
				found = found || i == ci
			}
			if !found {
				t.Errorf("line %d: %q is not found in its class", c.Line, m)
			}
		}
	}
	if len(Contrasts("والیبال")) == 0 || len(Contrasts("قیمت")) != 0 {
		t.Errorf("volleyball %v, price %v", Contrasts("والیبال"), Contrasts("قیمت"))
	}
}

// TestContrastContinents: the continents are one class (a question about
// Africa is not answered by a sentence about Europe), and «آمریکا», a
// country and a continent, is in both classes.
func TestContrastContinents(t *testing.T) {
	shared := func(a, b string) bool {
		for _, i := range Contrasts(strings.Join(Terms(a), " ")) {
			for _, j := range Contrasts(strings.Join(Terms(b), " ")) {
				if i == j {
					return true
				}
			}
		}
		return false
	}
	for _, pair := range [][2]string{{"آسیا", "اروپا"}, {"آفریقا", "اقیانوسیه"}, {"آمریکای جنوبی", "آسیا"}, {"آمریکا", "اروپا"}, {"آمریکا", "چین"}} {
		if !shared(pair[0], pair[1]) {
			t.Errorf("%s and %s share no contrast class", pair[0], pair[1])
		}
	}
}
