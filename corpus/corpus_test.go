package corpus

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"
)

const (
	leadTabnak = "به گزارش تابناک، وزیر دفاع عراق روز یکشنبه در نشستی خبری در بغداد سخن گفت."
	leadIRNA   = "به گزارش ایرنا، وزیر امور خارجه عازم نیویورک شد."
)

// day returns the date y-m-d at midnight UTC.
func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// problemStrings formats problems with their Skipped flag, for comparison.
func problemStrings(probs []Problem) []string {
	out := make([]string, len(probs))
	for i, p := range probs {
		out[i] = p.String()
		if !p.Skipped {
			out[i] += " [kept]"
		}
	}
	return out
}

func articleIDs(arts []Article) []string {
	out := make([]string, len(arts))
	for i, a := range arts {
		out[i] = a.ID
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseSeed(t *testing.T) {
	tests := []struct {
		name       string
		path       string
		give       string
		wantID     string // "" when skipped
		wantTitle  string
		wantText   string
		wantSource string
		wantDate   time.Time
		wantProbs  []string
	}{
		{
			name:       "header on its own line",
			path:       "a.txt",
			give:       "date 2025-09-20\n" + leadIRNA + "\n\nدومین بند.",
			wantID:     "a.txt",
			wantTitle:  "وزیر امور خارجه عازم نیویورک شد",
			wantText:   leadIRNA + "\n\nدومین بند.",
			wantSource: "ایرنا",
			wantDate:   day(2025, 9, 20),
		},
		{
			name:       "header shares the first line",
			path:       "b.txt",
			give:       "date 2025-09-28 " + leadTabnak,
			wantID:     "b.txt",
			wantTitle:  "وزیر دفاع عراق روز یکشنبه در نشستی خبری در بغداد سخن گفت",
			wantText:   leadTabnak,
			wantSource: "تابناک",
			wantDate:   day(2025, 9, 28),
		},
		{
			name:       "leading spaces and BOM",
			path:       "c.txt",
			give:       "\uFEFF  \n\t date 2025-09-22\n" + leadIRNA + "  \n",
			wantID:     "c.txt",
			wantTitle:  "وزیر امور خارجه عازم نیویورک شد",
			wantText:   leadIRNA,
			wantSource: "ایرنا",
			wantDate:   day(2025, 9, 22),
		},
		{
			name:       "Date: with Persian digits and CRLF",
			path:       "d.txt",
			give:       "Date: ۲۰۲۵-۰۹-۲۱\r\nبه گزارش ایسنا، تیم ملی قهرمان شد.\r\n\r\nبند دوم.",
			wantID:     "d.txt",
			wantTitle:  "تیم ملی قهرمان شد",
			wantText:   "به گزارش ایسنا، تیم ملی قهرمان شد.\n\nبند دوم.",
			wantSource: "ایسنا",
			wantDate:   day(2025, 9, 21),
		},
		{
			name:       "markdown title",
			path:       "sub/e.md",
			give:       "date: 2025-09-21\n# نمایشگاه سفالینه‌های شوش گشایش یافت\n\nبه گزارش همشهری آنلاین، نمایشگاه گشوده شد.",
			wantID:     "sub/e.md",
			wantTitle:  "نمایشگاه سفالینه‌های شوش گشایش یافت",
			wantText:   "به گزارش همشهری آنلاین، نمایشگاه گشوده شد.",
			wantSource: "همشهری آنلاین",
			wantDate:   day(2025, 9, 21),
		},
		{
			name:      "markdown title before the header",
			path:      "f.md",
			give:      "# عنوان خبر\ndate 2025-09-21\nمتن خبر.",
			wantID:    "f.md",
			wantTitle: "عنوان خبر",
			wantText:  "متن خبر.",
			wantDate:  day(2025, 9, 21),
		},
		{
			name:      "a # line in a .txt file is text",
			path:      "g.txt",
			give:      "# عنوان\nمتن.",
			wantID:    "g.txt",
			wantTitle: "# عنوان",
			wantText:  "# عنوان\nمتن.",
		},
		{
			name:      "no header",
			path:      "h.txt",
			give:      "قیمت مسکن در تهران افزایش یافت. این افزایش ۳۱ درصد بود.",
			wantID:    "h.txt",
			wantTitle: "قیمت مسکن در تهران افزایش یافت",
			wantText:  "قیمت مسکن در تهران افزایش یافت. این افزایش ۳۱ درصد بود.",
		},
		{
			name:      "the word date without a value is text",
			path:      "i.txt",
			give:      "date palms grew well.",
			wantID:    "i.txt",
			wantTitle: "date palms grew well",
			wantText:  "date palms grew well.",
		},
		{
			name:       "bad date kept without a date",
			path:       "j.txt",
			give:       "date 2025-13-45\n" + leadIRNA,
			wantID:     "j.txt",
			wantTitle:  "وزیر امور خارجه عازم نیویورک شد",
			wantText:   leadIRNA,
			wantSource: "ایرنا",
			wantProbs:  []string{`j.txt: bad date "2025-13-45" (kept without a date) [kept]`},
		},
		{
			name:       "Jalali header",
			path:       "k.txt",
			give:       "date 1404-07-06 " + leadTabnak,
			wantID:     "k.txt",
			wantTitle:  "وزیر دفاع عراق روز یکشنبه در نشستی خبری در بغداد سخن گفت",
			wantText:   leadTabnak,
			wantSource: "تابناک",
			wantDate:   day(2025, 9, 28),
		},
		{
			name:      "bad Jalali date",
			path:      "l.txt",
			give:      "date ۱۴۰۴-۰۷-۳۱\nمتن.",
			wantID:    "l.txt",
			wantTitle: "متن",
			wantText:  "متن.",
			wantProbs: []string{`l.txt: bad date "۱۴۰۴-۰۷-۳۱" (kept without a date) [kept]`},
		},
		{
			name:      "empty file",
			path:      "m.txt",
			give:      "",
			wantProbs: []string{"m.txt: empty file"},
		},
		{
			name:      "white space only",
			path:      "n.txt",
			give:      " \n\t\r\n\uFEFF",
			wantProbs: []string{"n.txt: empty file"},
		},
		{
			name:      "header only",
			path:      "o.txt",
			give:      "date 2025-09-20\n\n",
			wantProbs: []string{"o.txt: missing text"},
		},
		{
			name:      "invalid UTF-8",
			path:      "p.txt",
			give:      "date 2025-09-20\nمتن \xff\xfe خبر",
			wantProbs: []string{"p.txt: invalid UTF-8 at byte 23"},
		},
		{
			name:      "binary with a NUL",
			path:      "q.txt",
			give:      "PK\x03\x04\x00\x00 متن",
			wantProbs: []string{"q.txt: binary file"},
		},
		{
			name:      "binary with control characters",
			path:      "r.txt",
			give:      "ab\x01\x02\x03cdefgh",
			wantProbs: []string{"r.txt: binary file"},
		},
		{
			name:      "UTF-16",
			path:      "s.txt",
			give:      "\xff\xfed\x00a\x00",
			wantProbs: []string{"s.txt: binary file (UTF-16 text; save it as UTF-8)"},
		},
		{
			name:      "fuzz: no path",
			path:      "",
			give:      "0",
			wantID:    "-",
			wantTitle: "0",
			wantText:  "0",
		},
		{
			name:      "fuzz: a lone carriage return",
			path:      "t.txt",
			give:      "\r",
			wantProbs: []string{"t.txt: empty file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, probs := ParseSeed(tt.path, []byte(tt.give))
			if got.ID != tt.wantID {
				t.Errorf("ID: got %q, want %q", got.ID, tt.wantID)
			}
			if got.Title != tt.wantTitle {
				t.Errorf("Title: got %q, want %q", got.Title, tt.wantTitle)
			}
			if got.Text != tt.wantText {
				t.Errorf("Text: got %q, want %q", got.Text, tt.wantText)
			}
			if got.Source != tt.wantSource {
				t.Errorf("Source: got %q, want %q", got.Source, tt.wantSource)
			}
			if !got.Date.Equal(tt.wantDate) {
				t.Errorf("Date: got %v, want %v", got.Date, tt.wantDate)
			}
			if tt.wantID != "" && (got.Path != tt.wantID || got.Line != 0) {
				t.Errorf("Path, Line: got %q, %d, want %q, 0", got.Path, got.Line, tt.wantID)
			}
			if gotProbs := problemStrings(probs); !equalStrings(gotProbs, tt.wantProbs) {
				t.Errorf("problems: got %q, want %q", gotProbs, tt.wantProbs)
			}
		})
	}
}

// jsonlFixture exercises every kind of jsonl line; line numbers matter.
var jsonlFixture = strings.Join([]string{
	`{"id":"n1","title":"عنوان یک","text":"متن یک.","source":"ایرنا","date":"2025-09-20","url":"https://example.org/1","extra":[1,2]}`, // 1
	`{"id":"n2","text":"به گزارش خبرگزاری مهر، تراز آب دریاچه ارومیه کاهش یافت. بند دوم."}`,                                            // 2
	`{"id":"n3","text":"متن سه",`,        // 3 malformed
	``,                                   // 4 blank
	`   `,                                // 5 blank
	`{"id":"n6","title":"بی‌متن"}`,       // 6 missing text
	`{"id":"n7","text":"   ","date":""}`, // 7 missing text
	`{"id":"n8","text":"متن هشت.","date":"2025-13-01"}`,         // 8 bad date
	`{"id":"n1","text":"تکراری."}`,                              // 9 duplicate
	`{"text":"بدون شناسه.","date":"۱۴۰۴-۰۷-۰۶"}`,                // 10 no id
	`{"id":12,"text":"شناسه عددی.","date":null}`,                // 11 numeric id
	`{"id":"n12","text":"` + strings.Repeat("بلند ", 40) + `"}`, // 12 over the limit
	`{"id":"n13","text":"پس از خط بلند.\r\nخط دوم."}`,           // 13 good, after the long line
	"{\"id\":\"n14\",\"text\":\"\xff\"}",                        // 14 invalid UTF-8
	`["not","an","object"]`,                                     // 15
	`{"id":"n16","text":42}`,                                    // 16 text not a string
	`{"id":"n17","text":"بی‌خط‌پایان"}`,                         // 17 no final newline
}, "\n")

func TestParseJSONL(t *testing.T) {
	arts, probs := ParseJSONL("feed.jsonl", strings.NewReader(jsonlFixture), LoadOptions{MaxArticleBytes: 300})

	wantIDs := []string{"n1", "n2", "n8", "feed.jsonl#10", "12", "n13", "n17"}
	if got := articleIDs(arts); !equalStrings(got, wantIDs) {
		t.Errorf("ids: got %q, want %q", got, wantIDs)
	}
	wantProbs := []string{
		"feed.jsonl:3: malformed JSON: unexpected end of JSON input",
		"feed.jsonl:6: missing text",
		"feed.jsonl:7: missing text",
		`feed.jsonl:8: bad date "2025-13-01" (kept without a date) [kept]`,
		`feed.jsonl:9: duplicate id "n1" (first in feed.jsonl:1)`,
		"feed.jsonl:12: line too large (382 B > 300 B)",
		"feed.jsonl:14: invalid UTF-8 at byte 20",
		"feed.jsonl:15: malformed JSON: not an object",
		`feed.jsonl:16: malformed JSON: field "text": not a string`,
	}
	if got := problemStrings(probs); !equalStrings(got, wantProbs) {
		t.Errorf("problems:\ngot  %q\nwant %q", got, wantProbs)
	}

	byID := make(map[string]Article)
	for _, a := range arts {
		byID[a.ID] = a
	}
	tests := []struct {
		name, got, want string
	}{
		{"n1 title", byID["n1"].Title, "عنوان یک"},
		{"n1 source", byID["n1"].Source, "ایرنا"},
		{"n1 url", byID["n1"].URL, "https://example.org/1"},
		{"n1 date", byID["n1"].Date.Format(time.DateOnly), "2025-09-20"},
		{"n2 derived title", byID["n2"].Title, "تراز آب دریاچه ارومیه کاهش یافت"},
		{"n2 derived source", byID["n2"].Source, "مهر"},
		{"n8 no date", byID["n8"].Date.Format(time.DateOnly), "0001-01-01"},
		{"line 10 Jalali date", byID["feed.jsonl#10"].Date.Format(time.DateOnly), "2025-09-28"},
		{"line 10 line", byID["feed.jsonl#10"].Path + "#" + strconv.Itoa(byID["feed.jsonl#10"].Line), "feed.jsonl#10"},
		{"n13 CRLF", byID["n13"].Text, "پس از خط بلند.\nخط دوم."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestParseJSONLWholeFile(t *testing.T) {
	tests := []struct {
		name, give string
		wantProbs  []string
	}{
		{"empty", "", []string{"x.jsonl: empty file"}},
		{"blank lines only", "\n  \n\r\n", []string{"x.jsonl: empty file"}},
		{"BOM then a line", "\uFEFF{\"text\":\"متن.\"}\n", nil},
		{"binary", "SQLite format 3\x00\x10\x00", []string{"x.jsonl: binary file"}},
		{"UTF-16", "\xfe\xff\x00{", []string{"x.jsonl: binary file (UTF-16 text; save it as UTF-8)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := ParseJSONL("x.jsonl", strings.NewReader(tt.give), LoadOptions{})
			if got := problemStrings(probs); !equalStrings(got, tt.wantProbs) {
				t.Errorf("got %q, want %q", got, tt.wantProbs)
			}
		})
	}
}

// TestParseJSONLLongLine checks that a line far longer than the reader's
// buffer is skipped without being held whole, and the next line is read.
func TestParseJSONLLongLine(t *testing.T) {
	long := `{"id":"big","text":"` + strings.Repeat("x", 300<<10) + `"}`
	give := long + "\n" + `{"id":"after","text":"بعدی."}` + "\n"
	arts, probs := ParseJSONL("x.jsonl", strings.NewReader(give), LoadOptions{MaxArticleBytes: 100 << 10})
	if got, want := articleIDs(arts), []string{"after"}; !equalStrings(got, want) {
		t.Errorf("ids: got %q, want %q", got, want)
	}
	want := []string{"x.jsonl:1: line too large (300 KB > 100 KB)"}
	if got := problemStrings(probs); !equalStrings(got, want) {
		t.Errorf("problems: got %q, want %q", got, want)
	}
}

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"000_a.txt":          {Data: []byte("date 2025-09-28 " + leadTabnak)},
		"001_empty.txt":      {Data: nil},
		"002_big.txt":        {Data: []byte(strings.Repeat("خبر ", 100))},
		"003_bad.TXT":        {Data: []byte("\xff")},
		"feeds/b.jsonl":      {Data: []byte(`{"id":"x","text":"یک."}` + "\n" + `{"id":"y","text":"دو."}` + "\n")},
		"feeds/c.jsonl":      {Data: []byte(`{"id":"x","text":"تکراری."}` + "\n" + `{oops` + "\n")},
		"notes/d.md":         {Data: []byte("# عنوان\n\nمتن.")},
		".hidden.txt":        {Data: []byte("پنهان.")},
		".git/config.txt":    {Data: []byte("پنهان.")},
		"notes/.draft.md":    {Data: []byte("پیش‌نویس.")},
		"photo.png":          {Data: []byte("\x89PNG\r\n\x1a\n\x00")},
		"README":             {Data: []byte("not a corpus file")},
		"feeds/000_a.txt":    {Data: []byte("شناسه دیگری است.")},
		"feeds/empty.jsonl":  {Data: []byte("\n\n")},
		"feeds/d/e.jsonl":    {Data: []byte(`{"text":"بی‌شناسه."}`)},
		"feeds/sub.txt/f.md": {Data: []byte("متن.")},
	}
	c, err := Load(context.Background(), fsys, LoadOptions{MaxArticleBytes: 500})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	wantIDs := []string{"000_a.txt", "feeds/000_a.txt", "x", "y", "feeds/d/e.jsonl#1", "feeds/sub.txt/f.md", "notes/d.md"}
	if got := articleIDs(c.Articles); !equalStrings(got, wantIDs) {
		t.Errorf("ids: got %q, want %q", got, wantIDs)
	}
	wantProbs := []string{
		"001_empty.txt: empty file",
		"002_big.txt: file too large (700 B > 500 B)",
		"003_bad.TXT: invalid UTF-8 at byte 0",
		`feeds/c.jsonl:1: duplicate id "x" (first in feeds/b.jsonl:1)`,
		"feeds/c.jsonl:2: malformed JSON: invalid character 'o' looking for beginning of object key string",
		"feeds/empty.jsonl: empty file",
	}
	if got := problemStrings(c.Problems); !equalStrings(got, wantProbs) {
		t.Errorf("problems:\ngot  %q\nwant %q", got, wantProbs)
	}
	if c.Files != 11 {
		t.Errorf("Files: got %d, want %d", c.Files, 11)
	}
	if a := c.Articles[0]; a.Source != "تابناک" || !a.Date.Equal(day(2025, 9, 28)) {
		t.Errorf("000_a.txt: got source %q, date %v, want %q, 2025-09-28", a.Source, a.Date, "تابناک")
	}
}

func TestLoadNoArticles(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt":   {Data: []byte("   ")},
		"b.jsonl": {Data: []byte(`{"id":"1"}` + "\n" + "nonsense\n")},
		"c.md":    {Data: []byte("\x00\x01")},
		"d.png":   {Data: []byte("ignored")},
	}
	c, err := Load(context.Background(), fsys, LoadOptions{})
	if !errors.Is(err, ErrNoArticles) {
		t.Fatalf("err: got %v, want ErrNoArticles", err)
	}
	if want := "load corpus: 3 files, 4 problems: no usable articles"; err.Error() != want {
		t.Errorf("err: got %q, want %q", err.Error(), want)
	}
	want := []string{
		"a.txt: empty file",
		"b.jsonl:1: missing text",
		"b.jsonl:2: malformed JSON: not an object",
		"c.md: binary file",
	}
	if got := problemStrings(c.Problems); !equalStrings(got, want) {
		t.Errorf("problems:\ngot  %q\nwant %q", got, want)
	}
}

func TestLoadEmptyDir(t *testing.T) {
	_, err := Load(context.Background(), fstest.MapFS{}, LoadOptions{})
	if !errors.Is(err, ErrNoArticles) {
		t.Errorf("got %v, want ErrNoArticles", err)
	}
}

func TestLoadMissingRoot(t *testing.T) {
	_, err := Load(context.Background(), os.DirFS("testdata/no-such-dir"), LoadOptions{})
	if err == nil || errors.Is(err, ErrNoArticles) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want a not-exist error", err)
	}
}

func TestLoadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fsys := fstest.MapFS{"a.txt": {Data: []byte("متن.")}}
	if _, err := Load(ctx, fsys, LoadOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// lyingFS reports every file as one byte long, whatever it holds.
type lyingFS struct{ fstest.MapFS }

func (l lyingFS) Open(name string) (fs.File, error) {
	f, err := l.MapFS.Open(name)
	if err != nil {
		return nil, err
	}
	return lyingFile{f}, nil
}

type lyingFile struct{ fs.File }

func (f lyingFile) Stat() (fs.FileInfo, error) {
	info, err := f.File.Stat()
	if err != nil || info.IsDir() {
		return info, err
	}
	return lyingInfo{info}, nil
}

func (f lyingFile) ReadDir(n int) ([]fs.DirEntry, error) {
	return f.File.(fs.ReadDirFile).ReadDir(n)
}

func (l lyingFS) Stat(name string) (fs.FileInfo, error) {
	info, err := l.MapFS.Stat(name)
	if err != nil || info.IsDir() {
		return info, err
	}
	return lyingInfo{info}, nil
}

type lyingInfo struct{ fs.FileInfo }

func (lyingInfo) Size() int64 { return 1 }

func TestLoadSizeLies(t *testing.T) {
	line := `{"text":"` + strings.Repeat("x", 50) + `"}` + "\n"
	fsys := lyingFS{fstest.MapFS{
		"a.txt":   {Data: []byte(strings.Repeat("خبر ", 100))},
		"b.jsonl": {Data: []byte(strings.Repeat(line, 10))},
		"c.txt":   {Data: []byte("کوتاه.")},
	}}
	c, err := Load(context.Background(), fsys, LoadOptions{MaxArticleBytes: 200, MaxFileBytes: 3 * int64(len(line))})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := articleIDs(c.Articles), []string{"b.jsonl#1", "b.jsonl#2", "b.jsonl#3", "c.txt"}; !equalStrings(got, want) {
		t.Errorf("ids: got %q, want %q", got, want)
	}
	want := []string{
		"a.txt: file too large (> 200 B)",
		"b.jsonl:4: file too large (> 186 B); the rest was not read",
	}
	if got := problemStrings(c.Problems); !equalStrings(got, want) {
		t.Errorf("problems: got %q, want %q", got, want)
	}
}

func TestLoadTestdata(t *testing.T) {
	c, err := Load(context.Background(), os.DirFS("testdata/corpus"), LoadOptions{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(c.Problems) != 0 {
		t.Errorf("problems: got %q, want none", problemStrings(c.Problems))
	}
	tests := []struct {
		id, title, source, date string
	}{
		{"001_metro.txt", "خط ۱۰ متروی تهران از صبح شنبه ۱۲ مهر ۱۴۰۴ با سه ایستگاه تازه به روی مسافران باز شد", "ایسنا", "2025-10-04"},
		{"002_rain.txt", "بارش نخستین باران پاییزی در شمال کشور از بامداد یکشنبه آغاز شد", "فارس", "2025-10-05"},
		{"003_book_fair.md", "نمایشگاه کتاب استانی در شیراز گشایش یافت", "همشهری آنلاین", "2025-10-06"},
		{"bulletin-1", "افزایش صادرات زعفران", "ایرنا", "2025-10-06"},
		{"bulletin-2", "تیم ملی والیبال نشسته ایران در دیداری دوستانه میزبان تیم بوسنی بود", "خبرگزاری ورزشی نمونه", "0001-01-01"},
	}
	if len(c.Articles) != len(tests) {
		t.Fatalf("articles: got %q, want %d", articleIDs(c.Articles), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			a := c.Articles[i]
			got := []string{a.ID, a.Title, a.Source, a.Date.Format(time.DateOnly)}
			want := []string{tt.id, tt.title, tt.source, tt.date}
			if !equalStrings(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
			if strings.ContainsAny(a.Text, "\r\uFEFF") || strings.HasPrefix(a.Text, "date") {
				t.Errorf("text not cleaned: %q", a.Text)
			}
		})
	}
}

func TestTitleFromText(t *testing.T) {
	long := "مجلس شورای اسلامی در جلسه علنی روز یکشنبه کلیات لایحه بودجه سال آینده کل کشور را با اکثریت آرا تصویب کرد و جزئیات آن را به کمیسیون فرستاد."
	tests := []struct{ name, give, want string }{
		{"first sentence", "خبر اول. خبر دوم.", "خبر اول"},
		{"question kept", "چه شد؟ هیچ.", "چه شد؟"},
		{"first line", "سطر اول\nسطر دوم.", "سطر اول"},
		{"spaces collapsed", "خبر   \t اول.", "خبر اول"},
		{"short on a word boundary", long, "مجلس شورای اسلامی در جلسه علنی روز یکشنبه کلیات لایحه بودجه سال آینده کل کشور را با…"},
		{"one long word", strings.Repeat("ب", 120), strings.Repeat("ب", 89) + "…"},
		{"comma before the cut", strings.Repeat("الف ", 20) + "پایان، " + strings.Repeat("ب", 30), strings.Repeat("الف ", 19) + "الف پایان…"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := titleFromText(tt.give)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > maxTitleRunes {
				t.Errorf("got %d runes, want at most %d", n, maxTitleRunes)
			}
		})
	}
}

func TestShortenTitle(t *testing.T) {
	tests := []struct {
		name, give string
		max        int
		want       string
	}{
		{"fits", "یک دو سه", 8, "یک دو سه"},
		{"cut on a space", "یک دو سه چهار", 8, "یک دو…"},
		{"space right at the cut", "یک دو سه چهار", 9, "یک دو سه…"},
		{"space right after the cut", "یک دو سه چهار", 6, "یک دو…"},
		{"no space in the second half", "یک دوسه‌چهارپنج", 10, "یک دوسه‌چ…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shortenTitle(tt.give, tt.max); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		give int64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1 KB"},
		{1536, "1.5 KB"},
		{1 << 20, "1 MB"},
		{9_541_000, "9.1 MB"},
		{512 << 20, "512 MB"},
		{3 << 30, "3 GB"},
	}
	for _, tt := range tests {
		if got := formatBytes(tt.give); got != tt.want {
			t.Errorf("formatBytes(%d): got %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		give Problem
		want string
	}{
		{Problem{Path: "a.jsonl", Line: 3, Reason: "malformed JSON: x"}, "a.jsonl:3: malformed JSON: x"},
		{Problem{Path: "b.txt", Reason: "empty file"}, "b.txt: empty file"},
	}
	for _, tt := range tests {
		if got := tt.give.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// checkParsed holds the invariants every parse result keeps.
func checkParsed(t *testing.T, arts []Article, probs []Problem) {
	t.Helper()
	for _, a := range arts {
		for _, s := range []string{a.ID, a.Title, a.Text, a.Source, a.URL, a.Path} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in article field %q", s)
			}
		}
		if a.ID != "" && strings.TrimSpace(a.Text) == "" {
			t.Fatalf("article %q has no text", a.ID)
		}
		if utf8.RuneCountInString(a.Title) > maxTitleRunes && a.Title != "" && a.Line == 0 && !strings.HasSuffix(a.Path, ".md") {
			t.Fatalf("derived title of %d runes: %q", utf8.RuneCountInString(a.Title), a.Title)
		}
		if strings.Contains(a.Text, "\r") {
			t.Fatalf("carriage return in text %q", a.Text)
		}
	}
	for _, p := range probs {
		if !utf8.ValidString(p.Path) || !utf8.ValidString(p.Reason) {
			t.Fatalf("invalid UTF-8 in problem %q", p.String())
		}
		if p.Reason == "" {
			t.Fatalf("problem without a reason: %+v", p)
		}
	}
}

func FuzzParseSeed(f *testing.F) {
	for _, s := range []string{
		"date 2025-09-20\n" + leadIRNA,
		"date 2025-09-28 " + leadTabnak,
		"\uFEFF  date 2025-09-22\n" + leadIRNA,
		"Date: ۲۰۲۵-۰۹-۲۱\r\nمتن.",
		"date 1404-07-06 متن.",
		"date 2025-13-45\nمتن.",
		"# عنوان\ndate 2025-09-21\nمتن.",
		"date: \n",
		"", " \n\t", "\xff", "PK\x03\x04\x00", "\xff\xfe", "\r",
		"خبرگزاري فارس: رئيس اداره كل گفت.",
	} {
		f.Add("a.md", []byte(s))
		f.Add("a.txt", []byte(s))
	}
	f.Fuzz(func(t *testing.T, path string, data []byte) {
		a, probs := ParseSeed(path, data)
		var arts []Article
		if a.ID != "" {
			arts = append(arts, a)
		} else if len(probs) == 0 {
			t.Fatal("skipped without a problem")
		}
		checkParsed(t, arts, probs)
	})
}

func FuzzParseJSONL(f *testing.F) {
	f.Add([]byte(jsonlFixture), int64(300))
	for _, s := range []string{
		`{"id":"a","text":"متن.","date":"1404-07-06"}`,
		`{"text":"به گزارش ایرنا، خبر."}` + "\n\n" + `{"text":"\u0000\ud800"}`,
		"\uFEFF{\"text\":\"x\"}\r\n{",
		"", "\n", "\x00", "[1]", `{"text":null}`, `{"id":1e400,"text":"x"}`,
	} {
		f.Add([]byte(s), int64(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, max int64) {
		arts, probs := ParseJSONL("f\xff.jsonl", strings.NewReader(string(data)), LoadOptions{MaxArticleBytes: max % 4096})
		checkParsed(t, arts, probs)
		seen := make(map[string]bool)
		for _, a := range arts {
			if seen[a.ID] {
				t.Fatalf("duplicate id %q", a.ID)
			}
			seen[a.ID] = true
		}
	})
}

func TestLoadSkipsReadme(t *testing.T) {
	fsys := fstest.MapFS{
		"README.md":      {Data: []byte("# Corpus\nThis folder holds the articles.")},
		"sub/readme.txt": {Data: []byte("notes")},
		"a.txt":          {Data: []byte("date 2025-10-01\nبه گزارش ایرنا، خبری منتشر شد.")},
	}
	c, err := Load(context.Background(), fsys, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Articles) != 1 || c.Articles[0].ID != "a.txt" || len(c.Problems) != 0 {
		t.Errorf("got %d articles %+v, problems %v; want only a.txt", len(c.Articles), c.Articles, c.Problems)
	}
	if c.Articles[0].Title != "خبری منتشر شد" {
		t.Errorf("title %q, want the lead dropped", c.Articles[0].Title)
	}
}
