package telegramtest_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/internal/telegramtest"
)

func TestValidateHTML(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		wantErr string // substring of the error; "" means valid
	}{
		{name: "plain text", give: "hello world"},
		{name: "empty", give: ""},
		{name: "valid nesting", give: "<b>bold <i>both <u>all</u></i></b> <s>x</s>"},
		{name: "all simple tags", give: "<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del><tg-spoiler>f</tg-spoiler>"},
		{name: "uppercase tag", give: "<B>bold</B>"},
		{name: "link", give: `<a href="https://example.com/?a=1&amp;b=2">link</a>`},
		{name: "link single quotes", give: `<a href='https://example.com'>link</a>`},
		{name: "link with bare ampersand in href", give: `<a href="https://example.com/?a=1&b=2">link</a>`},
		{name: "user mention link", give: `<a href="tg://user?id=123">user</a>`},
		{name: "pre with language", give: `<pre><code class="language-go">x := 1 &lt; 2</code></pre>`},
		{name: "code", give: "<code>a &amp;&amp; b</code>"},
		{name: "spoiler span", give: `<span class="tg-spoiler">secret</span>`},
		{name: "blockquote", give: "<blockquote>quote</blockquote>"},
		{name: "blockquote expandable", give: "<blockquote expandable>long quote</blockquote>"},
		{name: "custom emoji", give: `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`},
		{name: "entities", give: "&lt;tag&gt; &amp; &quot;q&quot; &#65; &#x1F600;"},
		{name: "bare greater-than", give: "a > b"},
		{name: "end tag with spaces", give: "<b>x</b >"},
		{name: "empty end tag closes last", give: "<b>x</>"},
		{name: "unclosed tag", give: "<b>bold", wantErr: `Can't find end tag corresponding to start tag "b"`},
		{name: "unknown tag", give: "line<br>break", wantErr: `Unsupported start tag "br" at byte offset 4`},
		{name: "self-closing tag", give: "<b/>", wantErr: `Unsupported start tag "b/"`},
		{name: "misnested", give: "<b><i>x</b></i>", wantErr: `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{name: "unexpected end tag", give: "x</b>", wantErr: "Unexpected end tag at byte offset 1"},
		{name: "a without href", give: "<a>link</a>", wantErr: `Tag "a" must have a non-empty attribute "href"`},
		{name: "a with empty href", give: `<a href="">link</a>`, wantErr: `Tag "a" must have a non-empty attribute "href"`},
		{name: "span without class", give: "<span>x</span>", wantErr: `Tag "span" must have class "tg-spoiler"`},
		{name: "tg-emoji without id", give: "<tg-emoji>x</tg-emoji>", wantErr: "Invalid custom emoji identifier specified"},
		{name: "bad entity", give: "a&nbsp;b", wantErr: `Unsupported HTML entity "&nbsp;" at byte offset 1`},
		{name: "entity without semicolon", give: "&lt b", wantErr: `Unescaped "&"`},
		{name: "bare ampersand", give: "Tom & Jerry", wantErr: `Unescaped "&" at byte offset 4`},
		{name: "bad numeric entity", give: "&#0;", wantErr: "Invalid numeric character reference"},
		{name: "surrogate numeric entity", give: "&#xD800;", wantErr: "Invalid numeric character reference"},
		{name: "empty numeric entity", give: "&#;", wantErr: "Malformed numeric character reference"},
		{name: "bare less-than", give: "a < b", wantErr: `Unsupported start tag "" at byte offset 2`},
		{name: "less-than at end", give: "1<2", wantErr: "Unclosed start tag at byte offset 1"},
		{name: "unclosed attribute quote", give: `<a href="x>y</a>`, wantErr: "Unclosed start tag at byte offset 0"},
		{name: "attribute without value", give: "<b bold>x</b>", wantErr: "Expected equal sign"},
		{name: "invalid UTF-8", give: "\xff", wantErr: "strings must be encoded in UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := telegramtest.ValidateHTML(tt.give)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("ValidateHTML(%q) = %v, want nil", tt.give, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ValidateHTML(%q) = %v, want error containing %q", tt.give, err, tt.wantErr)
			}
			var htmlErr *telegramtest.HTMLError
			if err != nil && !errors.As(err, &htmlErr) {
				t.Errorf("ValidateHTML(%q) error type = %T, want *telegramtest.HTMLError", tt.give, err)
			}
		})
	}
}

func TestVisibleText(t *testing.T) {
	tests := []struct {
		name string
		give string
		want string
	}{
		{name: "plain", give: "hello", want: "hello"},
		{name: "tags removed", give: "<b>bold</b> and <i>italic</i>", want: "bold and italic"},
		{name: "entities decoded", give: "&lt;b&gt; &amp; &quot;x&quot; &#65;&#x42;", want: `<b> & "x" AB`},
		{name: "link text", give: `<a href="https://example.com">site</a>`, want: "site"},
		{name: "pre code", give: `<pre><code class="language-go">fmt.Println()</code></pre>`, want: "fmt.Println()"},
		{name: "persian", give: "<b>سلام</b> دنیا", want: "سلام دنیا"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := telegramtest.VisibleText(tt.give)
			if err != nil {
				t.Fatalf("VisibleText(%q) error: %v", tt.give, err)
			}
			if got != tt.want {
				t.Errorf("VisibleText(%q) = %q, want %q", tt.give, got, tt.want)
			}
		})
	}

	if _, err := telegramtest.VisibleText("<x>"); err == nil {
		t.Errorf("VisibleText(%q) error = nil, want an error", "<x>")
	}
}

func TestParseHTMLEntities(t *testing.T) {
	tests := []struct {
		name string
		give string
		want []tgbotapi.MessageEntity
	}{
		{
			name: "nested",
			give: "<b>ab<i>c</i></b>",
			want: []tgbotapi.MessageEntity{
				{Type: "bold", Offset: 0, Length: 3},
				{Type: "italic", Offset: 2, Length: 1},
			},
		},
		{
			name: "utf16 offsets after emoji",
			give: "😀 <a href=\"https://x.org\">x</a>",
			want: []tgbotapi.MessageEntity{{Type: "text_link", Offset: 3, Length: 1, URL: "https://x.org"}},
		},
		{
			name: "pre with language",
			give: `<pre><code class="language-go">x</code></pre>`,
			want: []tgbotapi.MessageEntity{{Type: "pre", Offset: 0, Length: 1, Language: "go"}},
		},
		{
			name: "standalone code drops language",
			give: `<code class="language-go">x</code>`,
			want: []tgbotapi.MessageEntity{{Type: "code", Offset: 0, Length: 1}},
		},
		{
			name: "expandable blockquote",
			give: "<blockquote expandable>q</blockquote>",
			want: []tgbotapi.MessageEntity{{Type: "expandable_blockquote", Offset: 0, Length: 1}},
		},
		{
			name: "empty entity dropped",
			give: "<b></b>x",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got, err := telegramtest.ParseHTML(tt.give)
			if err != nil {
				t.Fatalf("ParseHTML(%q) error: %v", tt.give, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseHTML(%q) entities = %+v, want %+v", tt.give, got, tt.want)
			}
		})
	}
}

func TestUTF16Len(t *testing.T) {
	tests := []struct {
		name string
		give string
		want int
	}{
		{name: "empty", give: "", want: 0},
		{name: "ascii", give: "hello", want: 5},
		{name: "persian", give: "سلام", want: 4},
		{name: "emoji counts 2", give: "😀", want: 2},
		{name: "mixed", give: "a😀b", want: 4},
		{name: "flag is two astral runes", give: "🇮🇷", want: 4},
		{name: "BMP symbol", give: "€", want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := telegramtest.UTF16Len(tt.give); got != tt.want {
				t.Errorf("UTF16Len(%q) = %d, want %d", tt.give, got, tt.want)
			}
		})
	}
}
