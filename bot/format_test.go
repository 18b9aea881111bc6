package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// longAnswer is an answer of about n characters, with citation markers,
// characters that need escaping and several sources.
func longAnswer(n int) answer.Answer {
	var b strings.Builder
	for i := 0; b.Len() < n*2; i++ { // Persian letters take two bytes
		fmt.Fprintf(&b, "جمله شماره %s درباره «قیمت» دلار & یورو <بازار> است %s ", persian.Itoa(i), persian.Marker(i%3+1))
		if i%7 == 6 {
			b.WriteString("\n\n")
		}
	}
	text := string([]rune(b.String())[:n])
	var srcs []answer.Source
	for i := 1; i <= 3; i++ {
		srcs = append(srcs, answer.Source{N: i, Passage: retrieval.Passage{Chunk: retrieval.Chunk{
			ArticleID: fmt.Sprint(i), Title: fmt.Sprintf("عنوان \"%d\" <خبر>", i), Source: "تابناک",
			Date: time.Date(2025, 9, 28, 0, 0, 0, 0, time.UTC), URL: fmt.Sprintf("https://example.com/a?id=%d&x=\"y\"", i),
		}}})
	}
	return answer.Answer{Text: text, Mode: answer.ModeExtractive, Sources: srcs}
}

func TestEscape(t *testing.T) {
	tests := []struct{ name, give, want string }{
		{"plain", "سلام", "سلام"},
		{"markup", `<b>"a" & 'b'</b>`, "&lt;b&gt;&quot;a&quot; &amp; 'b'&lt;/b&gt;"},
		{"entity-looking text", "&amp;", "&amp;amp;"},
		{"invalid UTF-8 dropped", "a\xffb", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := escape(tt.give)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if err := telegramtest.ValidateHTML(got); err != nil {
				t.Errorf("escaped text rejected: %v", err)
			}
		})
	}
}

func TestAnswerHTML(t *testing.T) {
	a := longAnswer(200)
	a.Note = "یادداشت <مهم>"
	html := answerHTML(a)
	if err := telegramtest.ValidateHTML(html); err != nil {
		t.Fatalf("answer HTML rejected: %v\n%s", err, html)
	}
	vis, _ := telegramtest.VisibleText(html)
	for _, want := range []string{"[۱]", "منابع:", "تابناک", `«عنوان "1" <خبر>»`, "یادداشت <مهم>", "& یورو <بازار>"} {
		if !strings.Contains(vis, want) {
			t.Errorf("visible text lacks %q:\n%s", want, vis)
		}
	}
	if want := `<a href="https://example.com/a?id=1&amp;x=&quot;y&quot;">`; !strings.Contains(html, want) {
		t.Errorf("html lacks the escaped link %q:\n%s", want, html)
	}
	if strings.Contains(html, "<blockquote") {
		t.Errorf("three short sources folded: %s", html)
	}
}

func TestSourcesFolded(t *testing.T) {
	tests := []struct {
		name    string
		sources int
		title   string
		want    bool
	}{
		{"three short", 3, "کوتاه", false},
		{"four", 4, "کوتاه", true},
		{"two long", 2, strings.Repeat("بلند ", 80), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var srcs []answer.Source
			for i := 1; i <= tt.sources; i++ {
				srcs = append(srcs, answer.Source{N: i, Passage: retrieval.Passage{Chunk: retrieval.Chunk{Title: tt.title}}})
			}
			html := sourcesHTML(srcs)
			if got := strings.Contains(html, "<blockquote expandable>"); got != tt.want {
				t.Errorf("folded: got %v, want %v\n%s", got, tt.want, html)
			}
			if err := telegramtest.ValidateHTML(html); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestLinkOnlyHTTP(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"https://example.com/x", true},
		{"http://example.com", true},
		{"javascript:alert(1)", false},
		{"example.com/x", false},
		{"https://exa mple.com", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := linkable(tt.url); got != tt.want {
			t.Errorf("linkable(%q): got %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ give, want string }{
		{`<b>a</b> &lt;b&gt; &amp; &quot;q&quot; <a href="x">l</a>`, `a <b> & "q" l`},
		{"&#x1F600;&#1587;", "😀س"},
	}
	for _, tt := range tests {
		if got := plainText(tt.give); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestPreviewHTMLFits(t *testing.T) {
	long := strings.Repeat("متن <بلند> & ", 1000)
	got := previewHTML(long, 4000)
	if n := utf16Len(got); n > 4000 {
		t.Errorf("preview has %d UTF-16 units, want at most 4000", n)
	}
	if err := telegramtest.ValidateHTML(got); err != nil {
		t.Error(err)
	}
}

// TestTextAndHTMLAgree: the console's plain text and Telegram's HTML are
// rendered from the same blocks and show the same text (the HTML links a
// source's title to its url where the text spells the url out).
func TestTextAndHTMLAgree(t *testing.T) {
	withPeriod := longAnswer(300)
	withPeriod.Period = "۱۲ مهر ۱۴۰۴"
	withPeriod.Note = "یادداشت <مهم>"
	manySources := longAnswer(100)
	for i := 4; i <= 6; i++ {
		manySources.Sources = append(manySources.Sources, answer.Source{N: i, Passage: retrieval.Passage{Chunk: retrieval.Chunk{Title: "بی‌نشانی", Source: "ایسنا"}}})
	}
	notFound := answer.Answer{Text: "پاسخی پیدا نشد.", Mode: answer.ModeNotFound, Period: "دیروز"}
	manySources.Passages = []retrieval.Passage{manySources.Sources[0].Passage, manySources.Sources[1].Passage}
	manySources.Passages[1].Text = "متن <دوم> & سوم"
	ch := chat.New(fixedAnswerer{a: manySources}, discard(), chat.Options{})
	asked := ch.Handle(context.Background(), chat.Message{ChatID: 1, Text: "پرسش"})
	sources := ch.Handle(context.Background(), chat.Message{ChatID: 1, Text: "/sources"})
	related := answer.Answer{Text: answer.MsgNotFound, Mode: answer.ModeNotFound, Related: []retrieval.Passage{
		{Chunk: retrieval.Chunk{ArticleID: "a", Title: "خط ۱۰ <مترو>", Source: "ایسنا", URL: "https://example.com/a?x=1&y=2"}},
		{Chunk: retrieval.Chunk{ArticleID: "b", Title: "بی‌نشانی", Source: "تابناک"}},
	}}
	var relatedURLs []answer.Source
	for _, p := range related.Related {
		relatedURLs = append(relatedURLs, answer.Source{Passage: p})
	}
	summary := answer.Summary{Period: "۱۳ مهر ۱۴۰۴", Stories: []answer.Story{
		{Text: "خبر یک [۱]", Outlets: []string{"فارس", "تابناک"}}, {Text: "خبر دو & سه [۲]", Outlets: []string{"ایسنا"}},
	}, Sources: longAnswer(10).Sources[:2]}
	tests := []struct {
		name       string
		text, html string
		urls       []answer.Source
	}{
		{"answer with period and note", withPeriod.String(), answerHTML(withPeriod), withPeriod.Sources},
		{"answer with folded sources", manySources.String(), answerHTML(manySources), manySources.Sources},
		{"not found in a period", notFound.String(), answerHTML(notFound), nil},
		{"not found with related headlines", related.String(), answerHTML(related), relatedURLs},
		{"summary", summary.String(), summaryHTML(summary), summary.Sources},
		{"empty summary", answer.Summary{Period: "دیروز"}.String(), summaryHTML(answer.Summary{Period: "دیروز"}), nil},
		{"a chat's answer", asked.PlainText(), replyHTML(asked), asked.Answer.Sources},
		{"the passages of /sources", sources.PlainText(), replyHTML(sources), manySources.Sources[:2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.text
			for _, s := range tt.urls {
				if s.URL != "" {
					want = strings.Replace(want, separator+s.URL, "", 1)
					if !strings.Contains(tt.html, `href="`+escape(s.URL)+`"`) {
						t.Errorf("the HTML does not link %s", s.URL)
					}
				}
			}
			got, err := telegramtest.VisibleText(tt.html)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("visible HTML differs from the text:\nhtml %q\ntext %q", got, want)
			}
		})
	}
	if h := answerHTML(related); !strings.Contains(h, answer.MsgRelatedHeading) || strings.Contains(h, "[") {
		t.Errorf("the related headlines are unlabelled or carry a marker:\n%s", h)
	}
	if err := telegramtest.ValidateHTML(answerHTML(related)); err != nil {
		t.Error(err)
	}
	if !strings.Contains(answerHTML(withPeriod), answer.MsgPeriod+" ۱۲ مهر ۱۴۰۴") {
		t.Errorf("the HTML lacks the period line")
	}
}
