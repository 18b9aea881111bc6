package feed

import "testing"

func TestCanonicalURL(t *testing.T) {
	tests := []struct{ give, want string }{
		{"https://Example.IR/news/1?utm_source=rss&utm_medium=feed", "https://example.ir/news/1"},
		{"https://example.ir/news/1#comments", "https://example.ir/news/1"},
		{"https://example.ir:443/n?id=7&fbclid=abc&gclid=x", "https://example.ir/n?id=7"},
		{"http://example.ir:80/n?b=2&a=1", "http://example.ir/n?a=1&b=2"},
		{"https://example.ir", "https://example.ir/"},
		{"https://example.ir/n?id=7&UTM_Campaign=x", "https://example.ir/n?id=7"},
		{"/relative/path", ""},
		{"mailto:x@example.ir", ""},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			if got := canonicalURL(tt.give); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHTMLText(t *testing.T) {
	tests := []struct{ name, give, want string }{
		{"plain", "  خبر   فوری  ", "خبر فوری"},
		{"entities", "قیمت &laquo;بنزین&raquo; &amp; گازوئیل", "قیمت «بنزین» & گازوئیل"},
		{"blocks", "<p>بند اول</p><p>بند <b>دوم</b></p><script>x()</script>", "بند اول\n\nبند دوم"},
		{"br and zwnj", "می\u200cشود<br>خط دوم", "می\u200cشود\nخط دوم"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlText(tt.give); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCutBoilerplate(t *testing.T) {
	tests := []struct{ name, give, want string }{
		{"related", "متن خبر\nادامه خبر\nاخبار مرتبط\nخبر دیگر", "متن خبر\nادامه خبر"},
		{"comments with colon", "متن خبر\nنظرات:\nیک نظر", "متن خبر"},
		{"tags", "متن خبر\nبرچسب‌ها\nتهران", "متن خبر"},
		{"heading first is kept", "اخبار مرتبط\nمتن", "اخبار مرتبط\nمتن"},
		{"inside a sentence is kept", "متن خبر درباره اخبار مرتبط با انتخابات", "متن خبر درباره اخبار مرتبط با انتخابات"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cutBoilerplate(tt.give); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestContentHash(t *testing.T) {
	a := contentHash("عنوان", "متن  خبر، با  فاصله")
	if b := contentHash("عنوان", "متن خبر با فاصله"); a != b {
		t.Errorf("spacing and punctuation changed the hash: %s vs %s", a, b)
	}
	if c := contentHash("عنوان", "متن خبر دیگر"); a == c {
		t.Error("different texts hash alike")
	}
}
