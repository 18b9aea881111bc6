package feed

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus"
)

// articlesOf returns the stored articles of the feed at u, by title.
func articlesOf(t *testing.T, p *Poller) map[string]corpus.Article {
	t.Helper()
	arts, _, err := p.Articles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]corpus.Article)
	for _, a := range arts {
		if _, dup := m[a.Title]; dup {
			t.Errorf("two articles titled %q", a.Title)
		}
		m[a.Title] = a
	}
	return m
}

func TestPollFormats(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveFixture(t, "/rss", "rss_utf8.xml", "application/rss+xml; charset=utf-8")
	srv.serveFixture(t, "/atom", "atom.xml", "application/atom+xml")
	srv.serveFixture(t, "/rdf", "rdf.xml", "application/rdf+xml")
	// One windows-1256 feed served three ways, each with links of its own.
	legacy := readFixture(t, "rss_1256.xml")
	for _, v := range []struct{ path, host, contentType string }{
		{"/1256-right", "right.example.ir", "text/xml; charset=windows-1256"},
		{"/1256-wrong", "wrong.example.ir", "text/xml; charset=utf-8"},
		{"/1256-none", "none.example.ir", "text/xml"},
	} {
		srv.serveBytes(v.path, bytes.ReplaceAll(legacy, []byte("old.example.ir"), []byte(v.host)), v.contentType)
	}
	c := newClock()
	specs := []Spec{
		{URL: srv.URL + "/rss", Name: "نمونه"},
		{URL: srv.URL + "/atom"},
		{URL: srv.URL + "/rdf"},
		{URL: srv.URL + "/1256-right", Name: "قدیمی درست"},
		{URL: srv.URL + "/1256-wrong", Name: "قدیمی غلط"},
		{URL: srv.URL + "/1256-none", Name: "قدیمی بی‌برچسب"},
	}
	opts := testOptions(c)
	opts.NoFullText = true
	p := mustPoller(t, t.TempDir(), specs, opts)
	rep := mustPoll(t, p)
	for _, r := range rep.Feeds {
		if r.Status != StatusOK {
			t.Errorf("%s: status %s (%s)", r.URL, r.Status, r.Error)
		}
	}
	if got := rep.Added(); got != 3+2+1+3*2 {
		t.Errorf("added %d articles, want 12", got)
	}
	arts := map[string]corpus.Article{}
	all, _, _ := p.Articles(context.Background())
	for _, a := range all {
		arts[a.Source+"|"+a.Title] = a
	}
	tests := []struct {
		title, source, date, url, textHas string
	}{
		// 22:10 UTC on 1 Dec is 01:40 on 2 Dec in Tehran.
		{"افزایش قیمت بنزین در جایگاه‌های سوخت تکذیب شد", "نمونه", "2026-12-02", "https://example.ir/news/1001/?utm_source=rss&utm_medium=feed", "سهمیه کارت‌های سوخت"},
		{"برگزاری نمایشگاه بین‌المللی کتاب تهران در اردیبهشت", "نمونه", "2026-12-02", "https://example.ir/news/1002", "بخش کودک و نوجوان"},
		{"بارش برف در گردنه‌های شمالی؛ رانندگان زنجیر چرخ همراه داشته باشند", "نمونه", "2026-12-02", "https://example.ir/news/1003#comments", "زنجیر چرخ"},
		// Atom: updated only (published absent) → updated; 21:00Z is 00:30 next day in Tehran.
		{"آغاز واکسیناسیون آنفلوآنزا در مدارس", "پایگاه خبری اتم", "2026-12-02", "https://atom.example.ir/a/3001", "رضایت والدین"},
		{"رشد صادرات زعفران در پاییز", "پایگاه خبری اتم", "2026-11-30", "https://atom.example.ir/a/3002", "خلیج فارس"},
		{"رونمایی از ماهواره سنجشی دانشجویی", "خبرنامه آر دی اف", "2026-12-01", "https://rdf.example.ir/s/4001", "کیفیت هوای"},
		{"کاهش دماي هوا در تهران از فردا", "قدیمی درست", "2026-12-02", "http://right.example.ir/fa/news/2001.html", "سازمان هواشناسي"},
		{"گشايش کتابخانه تازه در شيراز", "قدیمی درست", "2026-12-01", "http://right.example.ir/fa/news/2002.html", "کتابخانه عمومي"},
		{"کاهش دماي هوا در تهران از فردا", "قدیمی غلط", "2026-12-02", "http://wrong.example.ir/fa/news/2001.html", "سازمان هواشناسي"},
		{"گشايش کتابخانه تازه در شيراز", "قدیمی غلط", "2026-12-01", "http://wrong.example.ir/fa/news/2002.html", "کتابخانه عمومي"},
		{"کاهش دماي هوا در تهران از فردا", "قدیمی بی‌برچسب", "2026-12-02", "http://none.example.ir/fa/news/2001.html", "سازمان هواشناسي"},
		{"گشايش کتابخانه تازه در شيراز", "قدیمی بی‌برچسب", "2026-12-01", "http://none.example.ir/fa/news/2002.html", "کتابخانه عمومي"},
	}
	for _, tt := range tests {
		a, ok := arts[tt.source+"|"+tt.title]
		if !ok {
			t.Errorf("no article %q from %q; have %v", tt.title, tt.source, keys(arts))
			continue
		}
		if a.Source != tt.source || a.Date.Format(time.DateOnly) != tt.date || a.URL != tt.url || !strings.Contains(a.Text, tt.textHas) {
			t.Errorf("%q: source %q date %s url %q text %q; want %q %s %q containing %q",
				tt.title, a.Source, a.Date.Format(time.DateOnly), a.URL, a.Text, tt.source, tt.date, tt.url, tt.textHas)
		}
		if looksMojibake([]byte(a.Text)) || strings.ContainsRune(a.Text, '\uFFFD') || strings.Contains(a.Text, "trackReader") {
			t.Errorf("%q: text not clean: %q", tt.title, a.Text)
		}
		if !strings.HasPrefix(a.ID, "feed:") {
			t.Errorf("%q: id %q", tt.title, a.ID)
		}
	}
	// The mislabelled feeds were decoded all the same, and the wrong label is reported.
	if r := row(t, rep, srv.URL+"/1256-wrong"); r.Status != StatusOK || !hasProblem(r.Problems, "declared charset utf-8") {
		t.Errorf("mislabelled feed: %+v", r)
	}
	if r := row(t, rep, srv.URL+"/1256-none"); r.Seen != 2 {
		t.Errorf("unlabelled windows-1256 feed saw %d items, want 2", r.Seen)
	}
}

func keys(m map[string]corpus.Article) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func hasProblem(ps []Problem, sub string) bool {
	for _, p := range ps {
		if strings.Contains(p.Reason, sub) {
			return true
		}
	}
	return false
}

func TestFullTextDropsBoilerplate(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveFixture(t, "/summary.xml", "summary.xml", "application/rss+xml")
	srv.serveFixture(t, "/news/5001", "page_5001.html", "text/html; charset=utf-8")
	srv.serveFixture(t, "/news/5002", "page_5002.html", "text/html") // windows-1256, said by <meta> only
	c := newClock()
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/summary.xml"}}, testOptions(c))
	rep := mustPoll(t, p)
	r := row(t, rep, srv.URL+"/summary.xml")
	if r.Status != StatusOK || len(r.Added) != 3 {
		t.Fatalf("report %+v", r)
	}
	tests := []struct {
		url       string
		want, bad []string
	}{
		{
			url:  srv.URL + "/news/5001?utm_campaign=rss",
			want: []string{"تونل کانی‌سیب", "چهل سانتی‌متر", "الگوی کشت"},
			bad:  []string{"صفحه نخست", "درباره ما", "اخبار مرتبط", "فرونشست زمین", "نظرات", "ده سال است", "ارسال نظر", "کلیه حقوق", "برچسب", "خوراک"},
		},
		{
			url:  srv.URL + "/news/5002",
			want: []string{"دوازده ايستگاه", "صد هزار مسافر", "خط سوم نيز"},
			bad:  []string{"صفحه اصلي", "آرشيو", "پربيننده", "اخبار مرتبط", "کرايه تاکسي", "نظرات", "زودتر بسازيد", "حقوق مادي"},
		},
		{ // its page is missing: the summary stays, reported
			url:  srv.URL + "/news/5003",
			want: []string{"به پرسش‌های خبرنگاران پاسخ داد"},
		},
	}
	byURL := map[string]string{}
	for _, a := range r.Added {
		byURL[a.URL] = a.Text
		if a.Source != "خبرگزاری خلاصه" {
			t.Errorf("%s: source %q", a.URL, a.Source)
		}
	}
	for _, tt := range tests {
		text, ok := byURL[tt.url]
		if !ok {
			t.Errorf("no article at %s; have %v", tt.url, byURL)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: text lacks %q: %q", tt.url, w, text)
			}
		}
		for _, b := range tt.bad {
			if strings.Contains(text, b) {
				t.Errorf("%s: boilerplate %q reached the text: %q", tt.url, b, text)
			}
		}
	}
	if !hasProblem(r.Problems, "full text: gone: 404") {
		t.Errorf("problems %v lack the missing page", r.Problems)
	}
	if got := srv.lastRequest("/news/5001").Header.Get("User-Agent"); !strings.Contains(got, "khabar") {
		t.Errorf("User-Agent %q does not name khabar", got)
	}
	// A second poll does not fetch the pages again.
	c.Advance(time.Hour)
	mustPoll(t, p)
	if n := srv.hitCount("/news/5001"); n != 1 {
		t.Errorf("page fetched %d times, want 1", n)
	}
}

// fileStamps returns every file of dir with its content and time.
func fileStamps(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = info.ModTime().String() + "\x00" + string(b)
	}
	return m
}

func TestConditionalGETAndRestart(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveFixture(t, "/rss", "rss_utf8.xml", "application/rss+xml")
	c := newClock()
	dir := t.TempDir()
	rec := newRecorder()
	opts := testOptions(c)
	opts.Observer = rec
	u := srv.URL + "/rss"
	p := mustPoller(t, dir, []Spec{{URL: u}}, opts)
	if rep := mustPoll(t, p); rep.Added() != 3 {
		t.Fatalf("first poll added %d, want 3", rep.Added())
	}
	before := fileStamps(t, dir)

	// Not due yet: no request at all.
	mustPoll(t, p)
	if n := srv.hitCount("/rss"); n != 1 {
		t.Fatalf("feed fetched %d times before it was due", n)
	}
	c.Advance(11 * time.Minute)
	rep := mustPoll(t, p)
	if r := row(t, rep, u); r.Status != StatusNotModified || len(r.Added) != 0 {
		t.Errorf("second poll: %+v", r)
	}
	if got := srv.lastRequest("/rss").Header.Get("If-None-Match"); got == "" {
		t.Error("no If-None-Match sent")
	}
	if after := fileStamps(t, dir); !equalMaps(before, after) {
		t.Error("a 304 wrote to the store")
	}
	if got := rec.fetches[u]; strings.Join(got, ",") != "ok,not_modified" {
		t.Errorf("observer fetches %v", got)
	}
	if rec.added[u] != 3 || !rec.success[u].Equal(c.Now()) {
		t.Errorf("observer added %d, last success %v", rec.added[u], rec.success[u])
	}

	// A restart keeps the articles and the validators.
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	c.Advance(11 * time.Minute)
	p2 := mustPoller(t, dir, []Spec{{URL: u}}, opts)
	if got, want := len(articlesOf(t, p2)), 3; got != want {
		t.Fatalf("after restart %d articles, want %d", got, want)
	}
	rep = mustPoll(t, p2)
	if r := row(t, rep, u); r.Status != StatusNotModified {
		t.Errorf("after restart: %+v", r)
	}
	if st := p2.List()[0]; st.ArticlesAdded != 3 || st.ItemsSeen != 3 || st.Articles != 3 {
		t.Errorf("state after restart %+v", st)
	}

	// The existing loader reads the stored files as they are.
	corpus, err := corpus.Load(context.Background(), os.DirFS(dir), corpus.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	arts, _, _ := p2.Articles(context.Background())
	if len(corpus.Articles) != 3 || len(corpus.Problems) != 0 {
		t.Fatalf("loader: %d articles, problems %v", len(corpus.Articles), corpus.Problems)
	}
	for i, a := range corpus.Articles {
		b := findID(arts, a.ID)
		if b == nil || a.Title != b.Title || a.Text != b.Text || a.Source != b.Source || !a.Date.Equal(b.Date) || a.URL != b.URL {
			t.Errorf("loader article %d = %+v, poller has %+v", i, a, b)
		}
	}
}

func findID(arts []corpus.Article, id string) *corpus.Article {
	for i := range arts {
		if arts[i].ID == id {
			return &arts[i]
		}
	}
	return nil
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// rssOf renders items as an RSS 2.0 feed.
func rssOf(title string, items ...string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>` + title + `</title>`)
	for _, it := range items {
		b.WriteString(it)
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

func rssItem(guid, link, title, text, date string) string {
	s := "<item><title>" + title + "</title>"
	if link != "" {
		s += "<link>" + link + "</link>"
	}
	if guid != "" {
		s += `<guid isPermaLink="false">` + guid + "</guid>"
	}
	if date != "" {
		s += "<pubDate>" + date + "</pubDate>"
	}
	return s + "<description><![CDATA[" + text + "]]></description></item>"
}

const longText = "متن کامل این خبر به اندازه کافی بلند است تا خلاصه به شمار نیاید. "

func TestDedupeAndUpdates(t *testing.T) {
	srv := newFeedServer(t)
	date := "Wed, 02 Dec 2026 07:00:00 +0330"
	story := strings.Repeat(longText, 8)
	srv.serveBytes("/a", rssOf("الف",
		rssItem("a-1", "https://a.ir/n/1?utm_source=tg", "خبر یک", "یک "+story, date),
		rssItem("a-1", "https://a.ir/n/1", "خبر یک", "یک "+story, date),              // same guid
		rssItem("", "https://a.ir/n/1#top", "خبر یک", "یک "+story, date),             // same canonical URL
		rssItem("a-2", "https://m.a.ir/n/1", "خبر یک", "یک "+story, date),            // same content, other URL
		rssItem("a-3", "https://a.ir/n/3", "خبر سه", "سه "+story, date)), "text/xml") // new
	srv.serveBytes("/b", rssOf("ب",
		rssItem("b-1", "https://b.ir/n/9", "خبر یک", "یک "+story, date)), "text/xml") // same story, other outlet
	c := newClock()
	opts := testOptions(c)
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/a"}, {URL: srv.URL + "/b"}}, opts)
	rep := mustPoll(t, p)
	ra, rb := row(t, rep, srv.URL+"/a"), row(t, rep, srv.URL+"/b")
	if len(ra.Added) != 2 || ra.Duplicates != 1 || len(rb.Added) != 1 {
		t.Fatalf("feed a added %d (dups %d), feed b added %d; want 2 (1), 1", len(ra.Added), ra.Duplicates, len(rb.Added))
	}
	arts, _, _ := p.Articles(context.Background())
	if len(arts) != 3 {
		t.Fatalf("%d articles, want 3", len(arts))
	}
	first := ra.Added[0]

	// The item is updated: same guid, new text; it replaces its article.
	srv.serveBytes("/a", rssOf("الف",
		rssItem("a-1", "https://a.ir/n/1", "خبر یک (به‌روز شد)", "یک "+story+" جزئیات تازه.", date),
		rssItem("a-3", "https://a.ir/n/3", "خبر سه", "سه "+story, date)), "text/xml")
	c.Advance(time.Hour)
	rep = mustPoll(t, p)
	ra = row(t, rep, srv.URL+"/a")
	if len(ra.Added) != 0 || len(ra.Updated) != 1 {
		t.Fatalf("update: added %d, updated %d; want 0, 1", len(ra.Added), len(ra.Updated))
	}
	up := ra.Updated[0]
	if up.ID != first.ID || up.Title != "خبر یک (به‌روز شد)" || !strings.Contains(up.Text, "جزئیات تازه") {
		t.Errorf("updated %+v, was %+v", up, first)
	}
	arts, _, _ = p.Articles(context.Background())
	if len(arts) != 3 || findID(arts, first.ID).Title != up.Title {
		t.Errorf("after update %d articles (want 3), the first titled %q", len(arts), findID(arts, first.ID).Title)
	}
}
