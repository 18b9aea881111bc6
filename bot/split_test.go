package bot

import (
	"strings"
	"testing"
	"unicode"

	"github.com/khabar/khabar/internal/telegramtest"
)

func TestSplitHTML(t *testing.T) {
	sentence := "این یک جمله فارسی است. "
	tests := []struct {
		name  string
		give  string
		limit int
		want  []string
	}{
		{"fits", "<b>سلام</b> دنیا", 100, []string{"<b>سلام</b> دنیا"}},
		{"empty", "  \n ", 100, nil},
		{"only tags", "<b> </b>", 100, nil},
		{"paragraph first", "aaaa bbbb.\n\ncccc dddd", 16, []string{"aaaa bbbb.", "cccc dddd"}},
		{"line before sentence", "aaaa. bbbb\ncccc dddd", 16, []string{"aaaa. bbbb", "cccc dddd"}},
		{"sentence before word", "aaa bb. cc dd eeee", 16, []string{"aaa bb.", "cc dd eeee"}},
		{"word when no sentence", "aaaa bbbb cccc dddd", 16, []string{"aaaa bbbb cccc", "dddd"}},
		{"hard cut in a long word", strings.Repeat("x", 40), 16, []string{strings.Repeat("x", 16), strings.Repeat("x", 16), strings.Repeat("x", 8)}},
		{"tags closed and reopened", "<b>aaaa bbbb cccc dddd</b>", 20, []string{"<b>aaaa bbbb</b>", "<b>cccc dddd</b>"}},
		{"attributes kept when reopened", `<a href="http://x.y/">aaaa bbbb cccc</a>`, 39, []string{`<a href="http://x.y/">aaaa bbbb</a>`, `<a href="http://x.y/">cccc</a>`}},
		{"entity never cut", "aaaaaaaaaaaa&amp;&amp;&amp;", 16, []string{"aaaaaaaaaaaa", "&amp;&amp;&amp;"}},
		{"expandable blockquote reopened", "<blockquote expandable>aaaa bbbb cccc</blockquote>", 49, []string{"<blockquote expandable>aaaa bbbb</blockquote>", "<blockquote expandable>cccc</blockquote>"}},
		{"start tag longer than the limit", `<a href="http://example.com/` + strings.Repeat("p", 40) + `">ab</a> cd`, 20, []string{"ab cd"}},
		{"long Persian text on sentences", strings.Repeat(sentence, 6), 60, []string{
			strings.TrimSpace(strings.Repeat(sentence, 2)), strings.TrimSpace(strings.Repeat(sentence, 2)), strings.TrimSpace(strings.Repeat(sentence, 2)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitHTML(tt.give, tt.limit)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			checkParts(t, tt.give, got, tt.limit)
		})
	}
}

func TestSplitHTMLLongAnswer(t *testing.T) {
	a := longAnswer(9000)
	html := answerHTML(a)
	parts := splitHTML(html, maxMessageUTF16-1)
	if len(parts) < 3 {
		t.Fatalf("got %d parts, want at least 3", len(parts))
	}
	checkParts(t, html, parts, maxMessageUTF16-1)
}

// checkParts verifies what splitHTML promises: each part is valid HTML,
// fits the limit and shows something, and together the parts show the
// input's text (whitespace at the cuts aside), each part a piece of it.
func checkParts(t *testing.T, input string, parts []string, limit int) {
	t.Helper()
	want, err := telegramtest.VisibleText(input)
	if err != nil {
		t.Fatalf("invalid input %q: %v", input, err)
	}
	var got strings.Builder
	for i, p := range parts {
		if err := telegramtest.ValidateHTML(p); err != nil {
			t.Errorf("part %d %q: %v", i, p, err)
			continue
		}
		if n := telegramtest.UTF16Len(p); n > limit {
			t.Errorf("part %d has %d UTF-16 units, limit %d", i, n, limit)
		}
		vis, _ := telegramtest.VisibleText(p)
		if strings.TrimSpace(vis) == "" {
			t.Errorf("part %d %q shows nothing", i, p)
		}
		if !strings.Contains(want, vis) {
			t.Errorf("part %d shows %q, not a piece of the input's text", i, vis)
		}
		got.WriteString(vis)
	}
	if g, w := dropSpace(got.String()), dropSpace(want); g != w {
		t.Errorf("parts show %q, want %q", g, w)
	}
}

func dropSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func FuzzSplitHTML(f *testing.F) {
	f.Add("<b>aaaa bbbb</b>\n\ncccc. dddd <i>eeee</i>", 20)
	f.Add(`<a href="https://x.y/?a=1&amp;b=2">link text that is long</a> then &lt;plain&gt; text.`, 24)
	f.Add("<blockquote expandable><b>[۱]</b> تابناک — «عنوان»\n<b>[۲]</b> فارس — «دیگر»</blockquote>", 30)
	f.Add("<pre><code class=\"language-go\">func main() {\n\tfmt.Println(1)\n}</code></pre>", 20)
	f.Add("😀😀😀😀😀😀😀😀😀😀😀😀 &#x1F600;&#128512;", 17)
	f.Add("<b><i><u><s>deep nesting of many tags</s></u></i></b>", 16)
	f.Add(answerHTML(longAnswer(600)), 200)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if telegramtest.ValidateHTML(s) != nil {
			t.Skip()
		}
		limit = minSplitLimit + abs(limit)%(maxMessageUTF16-minSplitLimit)
		checkParts(t, s, splitHTML(s, limit), limit)
	})
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}
