package corpus

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// clock returns a fixed time for LoadOptions.Now.
func clock(t time.Time) func() time.Time { return func() time.Time { return t } }

func TestLoadFutureDates(t *testing.T) {
	now := time.Date(2025, 10, 5, 22, 0, 0, 0, time.UTC)
	fsys := fstest.MapFS{
		"today.txt":    {Data: []byte("date 2025-10-05\nخبر امروز.")},
		"tomorrow.txt": {Data: []byte("date 2025-10-06\nخبر فردا، به وقت تهران شاید امروز.")},
		"typo.txt":     {Data: []byte("date 2052-10-05\nخبری با سال اشتباه.")},
		"feed.jsonl":   {Data: []byte(`{"id":"a","text":"خبر درست.","date":"2025-10-01"}` + "\n" + `{"id":"b","text":"خبر آینده.","date":"1450-01-01"}` + "\n")},
	}
	c, err := Load(context.Background(), fsys, LoadOptions{Now: clock(now)})
	if err != nil {
		t.Fatal(err)
	}
	dates := map[string]string{}
	for _, a := range c.Articles {
		dates[a.ID] = ""
		if !a.Date.IsZero() {
			dates[a.ID] = a.Date.Format(time.DateOnly)
		}
	}
	want := map[string]string{"today.txt": "2025-10-05", "tomorrow.txt": "2025-10-06", "typo.txt": "", "a": "2025-10-01", "b": ""}
	for id, d := range want {
		if got, ok := dates[id]; !ok || got != d {
			t.Errorf("%s: date %q (present %v), want %q", id, got, ok, d)
		}
	}
	var reported []string
	for _, p := range c.Problems {
		if strings.Contains(p.Reason, "in the future") {
			if p.Skipped {
				t.Errorf("%s: a future date drops the article", p)
			}
			reported = append(reported, p.String())
		}
	}
	slices.Sort(reported)
	wantReported := []string{
		"feed.jsonl:2: date 2071-03-21 is in the future (kept without a date)",
		"typo.txt: date 2052-10-05 is in the future (kept without a date)",
	}
	if !slices.Equal(reported, wantReported) {
		t.Errorf("got problems %q, want %q", reported, wantReported)
	}
}

// TestLoadSymlinks: links inside the corpus folder are read; links that
// lead out of it (absolute, «..», through a linked folder, a linked
// folder itself) are reported and not followed.
func TestLoadSymlinks(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "seeds")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{root, outside, filepath.Join(root, "sub")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, p string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "a.txt"), "خبر درون پوشه.")
	write(filepath.Join(outside, "secret.txt"), "متن بیرون از پوشه که نباید خوانده شود.")
	link("a.txt", "inside.txt")
	link("../a.txt", "sub/up-but-inside.txt")
	link("inside.txt", "chain.txt")
	link(filepath.Join(outside, "secret.txt"), "absolute.txt")
	link("../outside/secret.txt", "climbs.txt")
	link(outside, "linked-folder")
	link("linked-folder/secret.txt", "through-folder.txt")
	link("sub/../../outside/secret.txt", "winding.txt")

	c, err := Load(context.Background(), os.DirFS(root), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range c.Articles {
		ids = append(ids, a.ID)
		if strings.Contains(a.Text, "بیرون") {
			t.Errorf("%s: read a file outside the corpus folder", a.ID)
		}
	}
	if want := []string{"a.txt", "chain.txt", "inside.txt", "sub/up-but-inside.txt"}; !slices.Equal(ids, want) {
		t.Errorf("loaded %q, want %q", ids, want)
	}
	var reported []string
	for _, p := range c.Problems {
		if strings.Contains(p.Reason, "leaves the corpus folder") && p.Skipped {
			reported = append(reported, p.Path)
		}
	}
	if want := []string{"absolute.txt", "climbs.txt", "linked-folder", "through-folder.txt", "winding.txt"}; !slices.Equal(reported, want) {
		t.Errorf("reported %q as leaving, want %q (all problems: %v)", reported, want, c.Problems)
	}
}

// TestDateHeaderYearRange: an article's date header is read in the years
// a question's date is (persian.CalendarDate): Gregorian 1900–2099, Jalali
// 1300–1499; a year outside them keeps the article without a date.
func TestDateHeaderYearRange(t *testing.T) {
	tests := []struct{ header, want string }{
		{"1899-12-31", ""},
		{"1900-01-01", "1900-01-01"},
		{"2099-12-31", "2099-12-31"},
		{"2100-01-01", ""},
		{"1299-12-29", ""},
		{"1300-01-01", "1921-03-21"},
		{"1499-12-29", "2121-03-20"},
		{"1500-01-01", ""},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			a, probs := ParseSeed("a.txt", []byte("date "+tt.header+"\nبه گزارش ایرنا، خبری منتشر شد."))
			got := ""
			if !a.Date.IsZero() {
				got = a.Date.Format(time.DateOnly)
			}
			if a.ID == "" || got != tt.want {
				t.Errorf("date %q (id %q), want %q", got, a.ID, tt.want)
			}
			if bad := tt.want == ""; bad != (len(probs) == 1) {
				t.Errorf("problems %v, want one only for a date out of range", probs)
			}
		})
	}
}
