package persian

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	ptime "github.com/yaa110/go-persian-calendar"
)

// The calendar math of the package: the Tehran zone, Jalali ↔ Gregorian
// conversion (by github.com/yaa110/go-persian-calendar) and the one
// reading of a numeric date that article headers ([ParseDate]) and
// questions ([FindPeriod]) share.

// tehranOffset is Iran Standard Time, +03:30. Iran has kept it all year
// since it dropped daylight saving time in 2022.
const tehranOffset = 3*60*60 + 30*60

var tehran = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		return time.FixedZone("+0330", tehranOffset)
	}
	return loc
})

// Tehran returns the Asia/Tehran location, loaded once with
// time.LoadLocation. The main package embeds time/tzdata so that minimal
// images have it; without any zone database Tehran falls back to a fixed
// +03:30 zone, which is exact for dates since 2022.
func Tehran() *time.Location { return tehran() }

// JalaliDate returns the calendar date of t (read in t's own location) as
// Jalali year, month and day: 2025-09-28 → 1404, 7, 6.
func JalaliDate(t time.Time) (year, month, day int) {
	y, m, d := t.Date()
	pt := ptime.New(time.Date(y, m, d, 12, 0, 0, 0, time.UTC))
	return pt.Year(), int(pt.Month()), pt.Day()
}

// FromJalali returns the Gregorian calendar date (midnight UTC) of the
// Jalali date year/month/day. Out-of-range days are normalised by the
// calendar (Esfand 30 in a common year is Farvardin 1).
func FromJalali(year, month, day int) time.Time {
	t := ptime.Date(year, ptime.Month(month), day, 12, 0, 0, 0, time.UTC).Time()
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// The years a four-digit numeric date may have. 1300–1499 are Jalali
// (1921–2121); 1900–2099 Gregorian. The two ranges cannot overlap, so a
// year alone says the calendar. The Gregorian range is the questions'
// one, kept for article headers too (which accepted 1800–2199): a news
// article is no older than the press of its language's modern outlets,
// and a date past tomorrow is dropped by the corpus loader anyway, so the
// wider range only turned typos («1025», «2205») into dates, while a
// question naming «1850-01-01» is no question about the news.
const (
	minJalaliYear    = 1300
	maxJalaliYear    = 1499
	minGregorianYear = 1900
	maxGregorianYear = 2099
)

// isJalaliYear reports whether a four-digit year is read as Jalali.
func isJalaliYear(y int) bool { return y >= minJalaliYear && y <= maxJalaliYear }

// CalendarDate returns the date (midnight UTC) of the numeric date
// year/month/day: Jalali for years 1300–1499, Gregorian for 1900–2099.
// known is false for a year in neither range (the numbers are no date);
// ok is false, with a zero time, when the calendar has no such day
// (2025-02-30, ۱۴۰۴/۰۷/۳۱).
func CalendarDate(year, month, day int) (t time.Time, known, ok bool) {
	switch {
	case isJalaliYear(year):
		t, ok = jalaliDay(year, month, day)
		return t, true, ok
	case year >= minGregorianYear && year <= maxGregorianYear:
		if month < 1 || month > 12 || day < 1 || day > 31 {
			return time.Time{}, true, false
		}
		t = time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		if t.Day() != day {
			return time.Time{}, true, false
		}
		return t, true, true
	}
	return time.Time{}, false, false
}

// ParseDate reads the date of an article: YYYY-MM-DD or YYYY/MM/DD (ASCII,
// Persian or Arabic-Indic digits), or an RFC 3339 timestamp, whose date is
// taken as written. The year says the calendar, as in [CalendarDate]:
// 1404-07-06 is 2025-09-28. The date is at midnight UTC.
func ParseDate(s string) (time.Time, bool) {
	s = ASCIIDigits(strings.TrimSpace(s))
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		y, m, d := t.Date()
		s = fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	}
	sep := "-"
	if strings.Count(s, "/") == 2 {
		sep = "/"
	}
	parts := strings.Split(s, sep)
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) > 2 || len(parts[2]) > 2 {
		return time.Time{}, false
	}
	var n [3]int
	for i, part := range parts {
		v, err := strconv.Atoi(part)
		if err != nil || v < 0 || part == "" || part[0] == '+' {
			return time.Time{}, false
		}
		n[i] = v
	}
	t, _, ok := CalendarDate(n[0], n[1], n[2])
	return t, ok
}

// dateOf returns the calendar date of t, read in t's location, at midnight
// UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// weekStart returns the Saturday that starts d's Persian week.
func weekStart(d time.Time) time.Time {
	return d.AddDate(0, 0, -((int(d.Weekday()) + 1) % 7))
}

// shiftMonth returns Jalali month m of year y moved by n months.
func shiftMonth(y, m, n int) (int, int) {
	i := y*12 + m - 1 + n
	return i / 12, i%12 + 1
}

// jalaliDay returns the date of the Jalali day y/m/d, and false when there
// is no such day (۳۱ مهر, ۳۰ اسفند in a common year): the calendar would
// otherwise roll it into the next month.
func jalaliDay(y, m, d int) (time.Time, bool) {
	if y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := FromJalali(y, m, d)
	if gy, gm, gd := JalaliDate(t); gy != y || gm != m || gd != d {
		return time.Time{}, false
	}
	return t, true
}

// jalaliClamp returns Jalali day y/m/d, or the month's last day when the
// month is shorter.
func jalaliClamp(y, m, d int) time.Time {
	for ; d > 29; d-- {
		if t, ok := jalaliDay(y, m, d); ok {
			return t
		}
	}
	return FromJalali(y, m, d)
}

// jalaliMonth is the whole Jalali month m of year y.
func jalaliMonth(y, m int) Period {
	ny, nm := shiftMonth(y, m, 1)
	return Period{FromJalali(y, m, 1), FromJalali(ny, nm, 1).AddDate(0, 0, -1)}
}

// jalaliYear is the whole Jalali year y.
func jalaliYear(y int) Period {
	return Period{FromJalali(y, 1, 1), FromJalali(y+1, 1, 1).AddDate(0, 0, -1)}
}
