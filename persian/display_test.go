package persian

import (
	"testing"
	"time"
)

func TestDigits(t *testing.T) {
	tests := []struct{ name, give, want string }{
		{"year", "1404", "۱۴۰۴"},
		{"mixed", "ساعت 8:30", "ساعت ۸:۳۰"},
		{"no digits", "خبر", "خبر"},
		{"persian stays", "۱۲", "۱۲"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Digits(tt.give); got != tt.want {
				t.Errorf("Digits(%q) = %q, want %q", tt.give, got, tt.want)
			}
		})
	}
}

func TestMarker(t *testing.T) {
	tests := []struct {
		give int
		want string
	}{{1, "[۱]"}, {2, "[۲]"}, {10, "[۱۰]"}}
	for _, tt := range tests {
		if got := Marker(tt.give); got != tt.want {
			t.Errorf("Marker(%d) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestFormatDate(t *testing.T) {
	tests := []struct {
		name string
		give time.Time
		want string
	}{
		{"seed article", date(2025, 9, 28), "۶ مهر ۱۴۰۴"},
		{"nowruz", date(2025, 3, 21), "۱ فروردین ۱۴۰۴"},
		{"last day of 1403 (leap, esfand 30)", date(2025, 3, 20), "۳۰ اسفند ۱۴۰۳"},
		{"yalda", date(2024, 12, 21), "۱ دی ۱۴۰۳"},
		{"zero", time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatDate(tt.give); got != tt.want {
				t.Errorf("FormatDate(%v) = %q, want %q", tt.give, got, tt.want)
			}
		})
	}
}

func TestFromJalali(t *testing.T) {
	tests := []struct {
		name    string
		y, m, d int
		want    time.Time
	}{
		{"6 mehr 1404", 1404, 7, 6, date(2025, 9, 28)},
		{"1 farvardin 1404", 1404, 1, 1, date(2025, 3, 21)},
		{"30 esfand 1403 (leap)", 1403, 12, 30, date(2025, 3, 20)},
		{"29 esfand 1404 (common)", 1404, 12, 29, date(2026, 3, 20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromJalali(tt.y, tt.m, tt.d)
			if !got.Equal(tt.want) {
				t.Errorf("FromJalali(%d,%d,%d) = %v, want %v", tt.y, tt.m, tt.d, got, tt.want)
			}
			if y, m, d := JalaliDate(got); y != tt.y || m != tt.m || d != tt.d {
				t.Errorf("JalaliDate(%v) = %d/%d/%d, want %d/%d/%d", got, y, m, d, tt.y, tt.m, tt.d)
			}
		})
	}
}

func TestASCIIDigits(t *testing.T) {
	tests := []struct{ give, want string }{
		{"۱۴۰۴/۰۷/۱۳", "1404/07/13"},
		{"٢٠٢٥", "2025"},
		{"ساعت ۸ و 30", "ساعت 8 و 30"},
	}
	for _, tt := range tests {
		if got := ASCIIDigits(tt.give); got != tt.want {
			t.Errorf("ASCIIDigits(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}
