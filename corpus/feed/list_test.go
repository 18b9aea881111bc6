package feed

import (
	"errors"
	"io/fs"
	"reflect"
	"testing"
)

func TestValidateURL(t *testing.T) {
	tests := []struct{ give, want string }{
		{"https://Example.IR/rss#top", "https://example.ir/rss"},
		{"  http://a.ir/feed.xml ", "http://a.ir/feed.xml"},
		{"HTTPS://a.ir/x?b=1", "https://a.ir/x?b=1"},
		{"ftp://a.ir/feed", ""},
		{"file:///etc/passwd", ""},
		{"javascript:alert(1)", ""},
		{"a.ir/feed", ""},
		{"https://user:pw@a.ir/feed", ""},
		{"https:///nohost", ""},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := ValidateURL(tt.give)
			if tt.want == "" {
				if !errors.Is(err, ErrBadURL) {
					t.Errorf("got %q, %v; want ErrBadURL", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestParseList(t *testing.T) {
	text := "# Persian outlets\n" +
		"https://www.isna.ir/rss   ایسنا\n" +
		"\n" +
		"https://www.irna.ir/rss\tخبرگزاری  جمهوری اسلامی # the state agency\n" +
		"http://old.example.ir/feed\n" +
		"ftp://bad.example/feed  بد\n" +
		"https://www.isna.ir/rss duplicate\n"
	got, errs := ParseList(text)
	want := []Spec{
		{URL: "https://www.isna.ir/rss", Name: "ایسنا"},
		{URL: "https://www.irna.ir/rss", Name: "خبرگزاری جمهوری اسلامی"},
		{URL: "http://old.example.ir/feed"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if len(errs) != 1 || !errors.Is(errs[0], ErrBadURL) || errs[0].Error()[:7] != "line 6:" {
		t.Errorf("errors %v, want one bad URL on line 6", errs)
	}
}

func TestParseFeeds(t *testing.T) {
	files := map[string]string{"/etc/khabar/feeds.txt": "https://a.ir/rss الف\nhttps://b.ir/rss\n"}
	read := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
	got, errs := ParseFeeds("https://c.ir/atom جیم, /etc/khabar/feeds.txt, https://a.ir/rss, mailto://x, /missing.txt", read)
	want := []Spec{{URL: "https://c.ir/atom", Name: "جیم"}, {URL: "https://a.ir/rss", Name: "الف"}, {URL: "https://b.ir/rss"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if len(errs) != 2 || !errors.Is(errs[0], ErrBadURL) || !errors.Is(errs[1], fs.ErrNotExist) {
		t.Errorf("errors %v, want a bad URL and a missing file", errs)
	}
	if got, errs := ParseFeeds("", read); len(got) != 0 || len(errs) != 0 {
		t.Errorf("empty value: got %v, %v", got, errs)
	}
}
