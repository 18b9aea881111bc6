package persian

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct{ give, want string }{
		{"2025-09-28", "2025-09-28"},
		{"2025-9-8", "2025-09-08"},
		{"2025/09/28", "2025-09-28"},
		{"۲۰۲۵-۰۹-۲۸", "2025-09-28"},
		{"٢٠٢٥-٠٩-٢٨", "2025-09-28"},
		{"1404-07-06", "2025-09-28"},
		{"۱۴۰۴/۰۷/۰۶", "2025-09-28"},
		{"1403-12-30", "2025-03-20"},
		{"2025-09-28T23:30:00+03:30", "2025-09-28"},
		{"2024-02-29", "2024-02-29"},
		{"2025-02-29", ""},
		{"1404-12-30", ""},
		{"2025-13-01", ""},
		{"2025-13-45", ""},
		{"2025-00-10", ""},
		{"0000-01-01", ""},
		{"1600-01-01", ""},
		// The year range, the one questions have too (TestNumericDateRange).
		{"1299-12-29", ""},
		{"1300-01-01", "1921-03-21"},
		{"1499-12-29", "2121-03-20"},
		{"1500-01-01", ""},
		{"1899-12-31", ""},
		{"1900-01-01", "1900-01-01"},
		{"2099-12-31", "2099-12-31"},
		{"2100-01-01", ""},
		{"2025-09", ""},
		{"2025-09-28-1", ""},
		{"2025-+9-28", ""},
		{"25-09-28", ""},
		{"2025/09-28", ""},
		{"yesterday", ""},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			d, ok := ParseDate(tt.give)
			got := ""
			if ok {
				got = d.Format(time.DateOnly)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestNumericDateRange: a numeric date in a question is read in the same
// years as an article's date (ParseDate): Jalali 1300–1499, Gregorian
// 1900–2099; outside them the numbers are no date.
func TestNumericDateRange(t *testing.T) {
	now := time.Date(2025, 10, 12, 9, 0, 0, 0, time.UTC)
	tests := []struct{ give, want string }{
		{"1299-12-29", ""},
		{"1300-01-01", "1921-03-21"},
		{"1499-12-29", "2121-03-20"},
		{"1500-01-01", ""},
		{"1899-12-31", ""},
		{"1900-01-01", "1900-01-01"},
		{"2099-12-31", "2099-12-31"},
		{"2100-01-01", ""},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			p, _, ok := FindPeriod("خبرهای "+tt.give+" چه بود؟", now)
			got := ""
			if ok {
				got = p.From.Format(time.DateOnly)
				if !p.To.Equal(p.From) {
					t.Errorf("period %v, want one day", p)
				}
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			art := ""
			if d, ok := ParseDate(tt.give); ok {
				art = d.Format(time.DateOnly)
			}
			if art != got {
				t.Errorf("article date %q, question date %q: the callers differ", art, got)
			}
		})
	}
}

func TestCalendarDate(t *testing.T) {
	tests := []struct {
		y, m, d   int
		want      string
		known, ok bool
	}{
		{1404, 7, 6, "2025-09-28", true, true},
		{1404, 7, 31, "", true, false},
		{1403, 12, 30, "2025-03-20", true, true},
		{2025, 2, 29, "", true, false},
		{2025, 13, 1, "", true, false},
		{1800, 1, 1, "", false, false},
		{2200, 1, 1, "", false, false},
	}
	for _, tt := range tests {
		got, known, ok := CalendarDate(tt.y, tt.m, tt.d)
		s := ""
		if !got.IsZero() {
			s = got.Format(time.DateOnly)
		}
		if s != tt.want || known != tt.known || ok != tt.ok {
			t.Errorf("CalendarDate(%d, %d, %d) = %q, %v, %v; want %q, %v, %v", tt.y, tt.m, tt.d, s, known, ok, tt.want, tt.known, tt.ok)
		}
	}
}
