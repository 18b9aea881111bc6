package persian

import (
	"strconv"
	"strings"
	"time"
)

// Digits returns s with ASCII digits replaced by Persian digits
// (2025 → ۲۰۲۵). Everything else is left as it is.
func Digits(s string) string {
	return mapRunes(s, func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '۰' + (r - '0')
		}
		return r
	})
}

// ASCIIDigits returns s with Persian (۰–۹) and Arabic-Indic (٠–٩) digits
// replaced by ASCII digits, everything else left as it is.
func ASCIIDigits(s string) string {
	return mapRunes(s, foldDigit)
}

// Itoa formats n in Persian digits.
func Itoa(n int) string {
	return Digits(strconv.Itoa(n))
}

// Marker returns the inline citation marker for source n: [۱], [۲], …
func Marker(n int) string {
	return "[" + Itoa(n) + "]"
}

// monthNames are the Jalali months, Farvardin first.
var monthNames = [12]string{
	"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
	"مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
}

// MonthName returns the Persian name of Jalali month m (1 = فروردین).
// It returns "" outside 1–12.
func MonthName(m int) string {
	if m < 1 || m > 12 {
		return ""
	}
	return monthNames[m-1]
}

// FormatDate renders the calendar date of t in Jalali with Persian digits
// and the month's name: «۶ مهر ۱۴۰۴». A zero t gives "".
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	y, m, d := JalaliDate(t)
	return strings.Join([]string{Itoa(d), MonthName(m), Itoa(y)}, " ")
}
