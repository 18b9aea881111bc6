package persian

import (
	"slices"
	"testing"
	"time"
)

// newsBetween reports news on the days from a to b, as a corpus would.
func newsBetween(a, b time.Time) func(Period) bool {
	return func(p Period) bool { return !p.To.Before(a) && !p.From.After(b) }
}

func TestReadPeriodAgainstTheNews(t *testing.T) {
	azar11of1405 := at(2026, 12, 2, 10, 0) // the wall clock of a live bot a year after its seeds
	mehr1404 := newsBetween(date(2025, 9, 20), date(2025, 10, 12))
	only1402 := newsBetween(date(2023, 9, 1), date(2023, 10, 30))
	tests := []struct {
		name      string
		now       time.Time
		has       func(Period) bool
		give      string
		want      Period
		wantMoved bool
	}{
		{"yearless day moves to the year with news", azar11of1405, mehr1404, "قیمت دلار روز ۱۳ مهر", single(date(2025, 10, 5)), true},
		{"yearless day without a corpus check", azar11of1405, nil, "قیمت دلار روز ۱۳ مهر", single(date(2026, 10, 5)), false},
		{"yearless day in a frozen corpus, asked in its own month", mehr16, mehr1404, "اخبار ۱۳ مهر", single(date(2025, 10, 5)), false},
		{"yearless day several years back", azar11of1405, only1402, "۱۳ مهر", single(date(2023, 10, 5)), true},
		{"the year given is kept", azar11of1405, mehr1404, "۱۳ مهر ۱۴۰۵", single(date(2026, 10, 5)), false},
		{"relative days are kept", azar11of1405, mehr1404, "اخبار دیروز", single(date(2026, 12, 1)), false},
		{"this year moves to the latest year with news", azar11of1405, mehr1404, "چند نفر امسال تو کنکور قبول شدن؟", span(date(2025, 3, 21), date(2026, 3, 20)), true},
		{"the current year moves too", azar11of1405, mehr1404, "قیمت خرید تضمینی گندم در سال جاری", span(date(2025, 3, 21), date(2026, 3, 20)), true},
		{"this month does not move", azar11of1405, mehr1404, "این ماه", span(date(2026, 11, 22), date(2026, 12, 2)), false},
		{"this year with news this year", mehr16, mehr1404, "امسال", span(date(2025, 3, 21), date(2025, 10, 8)), false},
		{"yearless range", azar11of1405, mehr1404, "از ۱ مهر تا ۱۰ مهر", span(date(2025, 9, 23), date(2025, 10, 2)), true},
		{"yearless month", azar11of1405, mehr1404, "تورم شهریور", span(date(2025, 8, 23), date(2025, 9, 22)), true},
		{"no year has news: read as asked", azar11of1405, func(Period) bool { return false }, "۱۳ مهر", single(date(2026, 10, 5)), false},
		{"not in the future, even when the future has news", mehr16, mehr1404, "۲۰ مهر", single(date(2024, 10, 11)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := ReadPeriod(tt.give, tt.now, tt.has)
			if !ok || r.Period != tt.want || r.Moved() != tt.wantMoved {
				t.Errorf("ReadPeriod(%q) = %v (moved %v), %v; want %v (moved %v)", tt.give, r.Period, r.Moved(), ok, tt.want, tt.wantMoved)
			}
			if p, _, _ := FindPeriod(tt.give, tt.now); r.Asked != p {
				t.Errorf("Asked = %v, want FindPeriod's %v", r.Asked, p)
			}
		})
	}
}

func TestWholeMonths(t *testing.T) {
	tests := []struct {
		name string
		give string
		want bool
	}{
		{"a month", "شهریور ۱۴۰۴", true},
		{"last month", "ماه گذشته", true},
		{"last year", "پارسال", true},
		{"a range of months", "از مهر ۱۴۰۳ تا آبان ۱۴۰۳", true},
		{"this month so far", "این ماه", false},
		{"a day", "۱۳ مهر ۱۴۰۴", false},
		{"a first day", "۱ مهر ۱۴۰۴", false},
		{"a week", "هفته گذشته", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, ok := FindPeriod(tt.give, mehr16)
			if !ok {
				t.Fatalf("FindPeriod(%q) found nothing", tt.give)
			}
			if got := p.WholeMonths(); got != tt.want {
				t.Errorf("%q → %v: WholeMonths() = %v, want %v", tt.give, p, got, tt.want)
			}
		})
	}
	if (Period{}).WholeMonths() {
		t.Error("the zero period is made of whole months")
	}
}

func TestMonths(t *testing.T) {
	tests := []struct {
		name string
		give string
		want []Month
	}{
		{"month and year", "نرخ تورم نقطه به نقطه کشور در شهریور ۱۴۰۴ به ۴۵.۳ درصد رسید", []Month{{1404, 6}}},
		{"bare month after dar", "تورم ماهانه در شهریور ۳.۸ درصد بوده", []Month{{0, 6}}},
		{"marked month", "ممکن است آثار آن در گزارش مهرماه نیز دیده شود", []Month{{0, 7}}},
		{"the outlet is no month", "به گزارش خبرگزاری مهر، مرکز آمار اعلام کرد", nil},
		{"a day is no month", "قیمت دلار روز یکشنبه ۱۳ مهر ۱۴۰۴ کاهش یافت", nil},
		{"two months", "تورم شهریور ۱۴۰۴ از مرداد ۱۴۰۴ بیشتر بود", []Month{{1404, 6}, {1404, 5}}},
		{"none", "قیمت دلار کاهش یافت", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Months(tt.give); !slices.Equal(got, tt.want) {
				t.Errorf("Months(%q) = %v, want %v", tt.give, got, tt.want)
			}
		})
	}
	if got := (Month{1404, 6}).String(); got != "شهریور ۱۴۰۴" {
		t.Errorf("String() = %q", got)
	}
}

func FuzzReadPeriodAgainstTheNews(f *testing.F) {
	for _, s := range []string{"۱۳ مهر", "امسال", "از ۲۵ اسفند تا ۵ فروردین", "در شهریور و از مرداد ۱۴۰۴", "سال جاری", "مهرماه", "از از تا"} {
		f.Add(s)
	}
	azar1405 := at(2026, 12, 2, 10, 0)
	none := func(Period) bool { return false }
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := ReadPeriod(s, azar1405, none)
		if ok && (r.Period != r.Asked || r.Period.From.After(r.Period.To)) {
			t.Errorf("ReadPeriod(%q) with no news = %v, want the period asked %v", s, r.Period, r.Asked)
		}
		r, ok = ReadPeriod(s, azar1405, newsBetween(date(2025, 9, 20), date(2025, 10, 12)))
		if ok && r.Period.From.After(r.Period.To) {
			t.Errorf("ReadPeriod(%q) = %v, From after To", s, r.Period)
		}
		for _, m := range Months(s) {
			if m.Month < 1 || m.Month > 12 || m.Year != 0 && (m.Year < 1300 || m.Year >= 1500) {
				t.Errorf("Months(%q) has %v", s, m)
			}
		}
	})
}
