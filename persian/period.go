package persian

import (
	"strconv"
	"strings"
	"time"
)

// Period is a range of calendar days, both ends inclusive. From and To are
// dates at midnight UTC, the convention of article dates: 2025-10-05 is
// time.Date(2025, 10, 5, 0, 0, 0, 0, time.UTC).
type Period struct{ From, To time.Time }

// IsZero reports whether p is the zero Period, which [FindPeriod] returns
// when it finds no date.
func (p Period) IsZero() bool { return p.From.IsZero() && p.To.IsZero() }

// Contains reports whether the calendar date of day, read in day's own
// location, lies within p.
func (p Period) Contains(day time.Time) bool {
	d := dateOf(day)
	return !d.Before(p.From) && !d.After(p.To)
}

// String renders p in Persian for answers: «۶ مهر ۱۴۰۴» for one day,
// «شهریور ۱۴۰۴» for a whole month, «سال ۱۴۰۴» for a whole year and «از ۱
// مهر ۱۴۰۴ تا ۱۰ مهر ۱۴۰۴» for another range (see [FormatDate]). The zero
// Period gives "".
func (p Period) String() string {
	switch {
	case p.IsZero():
		return ""
	case dateOf(p.From).Equal(dateOf(p.To)):
		return FormatDate(p.From)
	case p.WholeMonths():
		y1, m1, _ := JalaliDate(p.From)
		y2, m2, _ := JalaliDate(p.To)
		switch {
		case y1 == y2 && m1 == m2:
			return Month{y1, m1}.String()
		case y1 == y2 && m1 == 1 && m2 == 12:
			return "سال " + Itoa(y1)
		}
	}
	return "از " + FormatDate(p.From) + " تا " + FormatDate(p.To)
}

// FindPeriod looks for a date expression in text (a question or the
// argument of /summary) and returns the period it denotes, the text with
// the expression removed (trimmed, spaces collapsed), and whether one was
// found. now is the current instant; "today" is now's calendar date in
// [Tehran].
//
// FindPeriod reads relative days and periods («دیروز», «هفته گذشته»,
// «۳ روز اخیر»), Jalali dates and months with or without a year
// («۱۵ مهر», «پانزدهم مهر ۱۴۰۴», «در مهر»), ISO and slashed dates
// («2025-10-05», «1404/07/13») and ranges of them («از اول مهر تا دهم
// مهر», «از ۱ تا ۱۰ مهر», «از اول آبان»). The leftmost expression wins.
// A Jalali date without a year is the most recent one not after today: the
// year is chosen by month and day first and then checked, so «۳۰ اسفند»
// asked in Farvardin 1405 means 1404, which has no such day. A recognised
// expression that names no real day («۳۱ مهر») is not found rather than
// read as another date, and so is «تا ۱۰ مهر» alone, which has no start.
// When nothing is found, p is zero and rest is text.
func FindPeriod(text string, now time.Time) (p Period, rest string, ok bool) {
	r, ok := ReadPeriod(text, now, nil)
	return r.Period, r.Rest, ok
}

// Reading is a date expression read by [ReadPeriod].
type Reading struct {
	// Period is the period the expression denotes.
	Period Period
	// Rest is the text with the expression removed (trimmed, spaces
	// collapsed).
	Rest string
	// Asked is the period read against the wall clock alone, as
	// [FindPeriod] reads it. It differs from Period when a date without a
	// year, or «امسال», was moved back to a year that has news.
	Asked Period
}

// Moved reports whether the period was moved back from the one asked to a
// year that has news.
func (r Reading) Moved() bool { return r.Period != r.Asked }

// maxYearsBack bounds how far back [ReadPeriod] looks for a year with news.
const maxYearsBack = 10

// ReadPeriod reads text as [FindPeriod] does, against the news: has, when
// not nil, reports whether the corpus has news in a period. A Jalali date
// or month without a year is then the most recent one, not after today,
// for which has is true, and «امسال» (this year, «سال جاری») is the latest
// year with news; both look back at most ten years. When no year has news, or the
// expression names its year or is relative to today («دیروز»), the
// period is the one [FindPeriod] reads.
func ReadPeriod(text string, now time.Time, has func(Period) bool) (Reading, bool) {
	text = strings.ToValidUTF8(text, "\uFFFD")
	ps := parser{text: text, toks: tokenize(text), now: now, today: dateOf(now.In(Tehran()))}
	for i := range ps.toks {
		ps.yearless = false
		e := ps.at(i)
		if e.end == 0 {
			continue
		}
		p, ok := e.settle(ps.today, false)
		if e.bad || !ok || p.From.After(p.To) {
			return Reading{Rest: text}, false
		}
		r := Reading{Period: p, Asked: p, Rest: collapseSpace(text[:ps.toks[i].start] + " " + text[ps.toks[e.end-1].end:])}
		if ps.yearless && has != nil && !has(p) {
			r.Period = ps.withNews(i, has, p)
		}
		return r, true
	}
	return Reading{Rest: text}, false
}

// withNews reads the expression at i again in each of the years before
// today's, latest first, and returns the first period that has news, or
// asked when none has.
func (ps *parser) withNews(i int, has func(Period) bool, asked Period) Period {
	today := ps.today
	defer func() { ps.today = today }()
	jy, _, _ := JalaliDate(today)
	for back := 1; back <= maxYearsBack; back++ {
		ps.today = jalaliYear(jy - back).To
		e := ps.at(i)
		p, ok := e.settle(ps.today, false)
		if e.end == 0 || e.bad || !ok || p.From.After(p.To) {
			continue
		}
		if has(p) {
			return p
		}
	}
	return asked
}

// WholeMonths reports whether p is made of whole Jalali months: a month
// («شهریور ۱۴۰۴», «ماه گذشته»), several, or a year («پارسال»).
func (p Period) WholeMonths() bool {
	if p.IsZero() {
		return false
	}
	_, _, d1 := JalaliDate(p.From)
	_, _, d2 := JalaliDate(p.To.AddDate(0, 0, 1))
	return d1 == 1 && d2 == 1 && !p.From.After(p.To)
}

// Month is a Jalali month named in a text; Year is 0 when the text gives
// none.
type Month struct{ Year, Month int }

// String renders m as «شهریور ۱۴۰۴», or «شهریور» without a year.
func (m Month) String() string {
	if m.Year == 0 {
		return MonthName(m.Month)
	}
	return MonthName(m.Month) + " " + Itoa(m.Year)
}

// Months returns the Jalali months a text names as months, in order: «در
// شهریور», «شهریور ۱۴۰۴», «مهرماه», «ماه مهر». Days («۱۳ مهر») are not
// months, and neither is a bare name that is also a word or an outlet
// («خبرگزاری مهر»).
func Months(text string) []Month {
	text = strings.ToValidUTF8(text, "\uFFFD")
	// The reference day only settles relative words, which are skipped.
	ps := parser{text: text, toks: tokenize(text), today: FromJalali(1400, 1, 1)}
	var out []Month
	for i := 0; i < len(ps.toks); i++ {
		var e expr
		switch ps.word(i) {
		case "از", "تا", "بین", "الی", "و":
			// Each end of a range on its own: «از مرداد ۱۴۰۴».
			e = ps.point(i+1, true)
		default:
			e = ps.at(i)
		}
		if e.end == 0 {
			continue
		}
		if !e.bad && e.month > 0 && e.day == 0 {
			out = append(out, Month{Year: e.year, Month: e.month})
		}
		i = e.end - 1
	}
	return out
}

// token is one canonical word of a text and the bytes of the original
// text it came from.
type token struct {
	word       string
	start, end int
}

// tokenize splits text where Canonical puts spaces and canonicalises each
// piece, keeping its place in text so that the expression can be cut out
// of the original.
func tokenize(text string) []token {
	var toks []token
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		for _, w := range strings.Fields(Canonical(text[start:end])) {
			toks = append(toks, token{w, start, end})
		}
		start = -1
	}
	for i, r := range text {
		if canonicalRune(r) == ' ' {
			flush(i)
		} else if start < 0 {
			start = i
		}
	}
	flush(len(text))
	return toks
}

// parser reads date expressions from the tokens of one text.
type parser struct {
	text  string
	toks  []token
	now   time.Time // the instant asked at
	today time.Time // now's date in Tehran, at midnight UTC
	// yearless is set when the expression read has a Jalali date or month
	// without a year, or is «امسال»: its year can move to one with news.
	yearless bool
}

// word returns the canonical word at i, or "" past either end.
func (ps *parser) word(i int) string {
	if i < 0 || i >= len(ps.toks) {
		return ""
	}
	return ps.toks[i].word
}

// gap returns the original text between tokens i-1 and i, trimmed.
func (ps *parser) gap(i int) string {
	if i <= 0 || i >= len(ps.toks) || ps.toks[i].start < ps.toks[i-1].end {
		return ""
	}
	return strings.TrimSpace(ps.text[ps.toks[i-1].end:ps.toks[i].start])
}

// expr is a date expression recognised at some token: a settled period, or
// a Jalali date or month whose year may still have to be inferred.
type expr struct {
	end   int    // index of the token after the expression; 0 when none
	bad   bool   // recognised, but names no real day (۳۱ مهر)
	p     Period // the period when month is 0
	month int    // 1–12 for a Jalali date or month, else 0
	day   int    // the day of that Jalali date, 0 for the whole month
	year  int    // its year, 0 when not given
}

// settle returns the period of e. A Jalali date or month without a year is
// taken in the most recent year where it does not come after ref, or with
// forward in the first year where it does not come before ref; ok is false
// when that day does not exist.
func (e expr) settle(ref time.Time, forward bool) (Period, bool) {
	if e.month == 0 {
		return e.p, !e.bad
	}
	y := e.year
	if y == 0 {
		ry, rm, rd := JalaliDate(ref)
		y = ry
		switch {
		case !forward && (e.month > rm || e.month == rm && e.day > rd):
			y--
		case forward && (e.month < rm || e.month == rm && e.day > 0 && e.day < rd):
			y++
		}
	}
	if e.day == 0 {
		return jalaliMonth(y, e.month), true
	}
	d, ok := jalaliDay(y, e.month, e.day)
	return oneDay(d), ok
}

// prefixes are words absorbed before a date: «در ۱۵ مهر», «روز ۱۵ مهر»,
// «در تاریخ ۱۵ مهر».
var prefixes = map[string]bool{"در": true, "روز": true, "تاریخ": true}

// at reads an expression starting at token i.
func (ps *parser) at(i int) expr {
	switch w := ps.word(i); {
	case w == "از" || w == "بین":
		return ps.rangeAt(i)
	case w == "تا" || w == "الی":
		// «تا ۱۰ مهر» alone has no start: not a period, and not the day
		// itself either.
		if e := ps.point(i+1, true); e.end > 0 {
			return expr{end: e.end, bad: true}
		}
		return expr{}
	case prefixes[w]:
		j, bare := i, false
		for ; j < i+2 && prefixes[ps.word(j)]; j++ {
			bare = bare || ps.word(j) == "در"
		}
		return ps.point(j, bare)
	}
	return ps.point(i, false)
}

// point reads a single date expression at i: a relative day or period, an
// ISO or slashed date, or a Jalali date or month. bare allows a month name
// alone (after «در», «از», «تا»).
func (ps *parser) point(i int, bare bool) expr {
	if e := ps.relative(i); e.end > 0 {
		return e
	}
	if e := ps.numeric(i); e.end > 0 {
		return e
	}
	return ps.jalali(i, bare)
}

// rangeAt reads «از A تا B», «از A» (A up to today), «از A تا کنون»,
// «از ۱ تا ۱۰ مهر» and «بین A و B» at i, which holds «از» or «بین».
func (ps *parser) rangeAt(i int) expr {
	open := ps.word(i) == "از"
	isSep := func(w string) bool { return w == "و" }
	if open {
		isSep = func(w string) bool { return w == "تا" || w == "الی" }
	}
	if d, k, ok := ps.dayNumber(i + 1); ok && isSep(ps.word(k)) {
		if e2 := ps.dayMonth(k + 1); e2.end > 0 {
			return ps.sharedMonth(d, e2)
		}
	}
	e1 := ps.point(i+1, true)
	if e1.end == 0 || e1.bad {
		return e1
	}
	k := e1.end
	if open {
		if n := ps.untilNow(k); n > 0 {
			return ps.since(e1, n)
		}
	}
	if isSep(ps.word(k)) {
		if e2 := ps.point(k+1, true); e2.end > 0 {
			return ps.join(e1, e2)
		}
	}
	if !open {
		return expr{}
	}
	return ps.since(e1, k)
}

// untilNow returns the index after «تا کنون», «تاکنون», «تا الان»,
// «تا به حال» and the like at i, or 0.
func (ps *parser) untilNow(i int) int {
	switch w := ps.word(i); {
	case w == "تاکنون" || w == "تابحال" || w == "تاحالا":
		return i + 1
	case w != "تا":
		return 0
	}
	switch ps.word(i + 1) {
	case "کنون", "اکنون", "الان", "حالا":
		return i + 2
	case "به":
		switch ps.word(i + 2) {
		case "حال", "اکنون", "امروز":
			return i + 3
		}
	}
	return 0
}

// since is the period from the start of e1 up to today, ending at token end.
func (ps *parser) since(e1 expr, end int) expr {
	p1, ok := e1.settle(ps.today, false)
	return expr{end: end, p: Period{p1.From, ps.today}, bad: !ok || p1.From.After(ps.today)}
}

// join is the period from the start of e1 to the end of e2. Missing years
// are inferred from the start: a yearless start is the most recent one not
// after today (or not after e2 when e2 is fixed), and a yearless end is the
// first one not before the start, so «از ۲۵ اسفند تا ۵ فروردین» asked in
// Farvardin spans the new year.
func (ps *parser) join(e1, e2 expr) expr {
	if e2.bad {
		return expr{end: e2.end, bad: true}
	}
	var p1, p2 Period
	var ok1, ok2 bool
	if e1.month > 0 && e1.year == 0 && (e2.month == 0 || e2.year != 0) {
		p2, ok2 = e2.settle(ps.today, false)
		p1, ok1 = e1.settle(p2.To, false)
	} else {
		p1, ok1 = e1.settle(ps.today, false)
		p2, ok2 = e2.settle(p1.From, true)
	}
	return expr{end: e2.end, p: Period{p1.From, p2.To}, bad: !ok1 || !ok2 || p1.From.After(p2.To)}
}

// sharedMonth is «از d تا e2»: day d of e2's month and year up to e2. A
// missing year is inferred from the start, as in [parser.join].
func (ps *parser) sharedMonth(d int, e2 expr) expr {
	p1, ok1 := expr{month: e2.month, day: d, year: e2.year}.settle(ps.today, false)
	if e2.year == 0 && ok1 {
		e2.year, _, _ = JalaliDate(p1.From)
	}
	p2, ok2 := e2.settle(ps.today, false)
	return expr{end: e2.end, p: Period{p1.From, p2.To}, bad: !ok1 || !ok2 || p1.From.After(p2.To)}
}

// relative reads words relative to today at i: «امروز», «دیروز», «این
// هفته», «ماه گذشته», «امسال», «۳ روز اخیر», «دو هفته پیش», «چند روز
// اخیر», …
func (ps *parser) relative(i int) expr {
	today := ps.today
	jy, _, _ := JalaliDate(today)
	w, next := ps.word(i), ps.word(i+1)
	if d, ok := dayWords[w]; ok {
		return expr{end: i + 1, p: oneDay(today.AddDate(0, 0, d))}
	}
	switch w {
	case "امسال":
		ps.yearless = true
		return expr{end: i + 1, p: Period{FromJalali(jy, 1, 1), today}}
	case "پارسال":
		return expr{end: i + 1, p: jalaliYear(jy - 1)}
	case "این", "همین":
		if u := units[next]; u == week || u == month || u == year {
			ps.yearless = ps.yearless || u == year
			return expr{end: i + 2, p: ps.current(u)}
		}
		return expr{}
	case "چند":
		if units[next] == day && spanWords[ps.word(i+2)] {
			return expr{end: i + 3, p: ps.last(day, 3)}
		}
		return expr{}
	}
	if u := units[w]; u == week || u == month || u == year {
		switch {
		case agoWords[next] && ps.word(i+2) == "از":
			return expr{} // «هفته پیش از انتخابات»: before an event, not today
		case next == "جاری":
			ps.yearless = ps.yearless || u == year
			return expr{end: i + 2, p: ps.current(u)}
		case agoWords[next] || next == "گذشته":
			return expr{end: i + 2, p: ps.ago(u, 1)}
		case next == "اخیر":
			return expr{end: i + 2, p: ps.last(u, 1)}
		}
		return expr{}
	}
	n, ok := count(w)
	u := units[ps.word(i+1)]
	q := ps.word(i + 2)
	if !ok || u == 0 || !agoWords[q] && !spanWords[q] || agoWords[q] && ps.word(i+3) == "از" {
		return expr{} // not «۳ روز اخیر», or «۲ روز پیش از انتخابات»
	}
	if n < 1 || n > maxCount[u] {
		return expr{end: i + 3, bad: true}
	}
	if agoWords[q] {
		return expr{end: i + 3, p: ps.ago(u, n)}
	}
	return expr{end: i + 3, p: ps.last(u, n)}
}

// unit is a length of time in «۳ روز اخیر».
type unit int

const (
	_ unit = iota
	hour
	day
	week
	month
	year
)

// units are the words for each unit, canonical («هفته‌ی» is «هفتهی»).
var units = map[string]unit{
	"ساعت": hour, "روز": day, "هفته": week, "هفتهی": week, "ماه": month, "سال": year,
}

// maxCount bounds n in «n unit اخیر» to about a century.
var maxCount = map[unit]int{hour: 9999, day: 36500, week: 5200, month: 1200, year: 100}

// spanWords end «۳ روز اخیر» (the last three days up to today); agoWords
// end «۳ روز پیش» (the day three days ago). Without a number, «هفته گذشته»
// is the previous week like «هفته پیش», and «هفته اخیر» the last seven days.
var (
	spanWords = map[string]bool{"اخیر": true, "گذشته": true}
	agoWords  = map[string]bool{"پیش": true, "قبل": true}
)

// dayWords are single days relative to today.
var dayWords = map[string]int{
	"امروز": 0, "امشب": 0,
	"دیروز": -1, "دیشب": -1,
	"پریروز": -2, "پریشب": -2,
	"فردا": 1, "پسفردا": 2,
}

// numberWords are the cardinals one to ten, for «سه روز اخیر».
var numberWords = map[string]int{
	"یک": 1, "دو": 2, "سه": 3, "چهار": 4, "پنج": 5,
	"شش": 6, "هفت": 7, "هشت": 8, "نه": 9, "ده": 10,
}

// count reads a count of units: ASCII digits (at most four) or a number
// word.
func count(w string) (int, bool) {
	if n, ok := numberWords[w]; ok {
		return n, true
	}
	if len(w) == 0 || len(w) > 4 || !isDigits(w) {
		return 0, false
	}
	n, _ := strconv.Atoi(w)
	return n, true
}

// current is the Persian week (Saturday first), Jalali month or Jalali
// year containing today, up to today.
func (ps *parser) current(u unit) Period {
	jy, jm, _ := JalaliDate(ps.today)
	switch u {
	case week:
		return Period{weekStart(ps.today), ps.today}
	case month:
		return Period{FromJalali(jy, jm, 1), ps.today}
	}
	return Period{FromJalali(jy, 1, 1), ps.today}
}

// ago is the whole unit n units before the current one: the day n days
// ago, the Saturday–Friday week, the Jalali month or year.
func (ps *parser) ago(u unit, n int) Period {
	jy, jm, _ := JalaliDate(ps.today)
	switch u {
	case hour:
		return oneDay(dateOf(ps.now.Add(-time.Duration(n) * time.Hour).In(Tehran())))
	case day:
		return oneDay(ps.today.AddDate(0, 0, -n))
	case week:
		start := weekStart(ps.today).AddDate(0, 0, -7*n)
		return Period{start, start.AddDate(0, 0, 6)}
	case month:
		y, m := shiftMonth(jy, jm, -n)
		return jalaliMonth(y, m)
	}
	return jalaliYear(jy - n)
}

// last is the last n units up to and including today: «۳ روز اخیر» is
// today and the two days before; «یک ماه اخیر» starts the day after the
// same Jalali day last month.
func (ps *parser) last(u unit, n int) Period {
	jy, jm, jd := JalaliDate(ps.today)
	var from time.Time
	switch u {
	case hour:
		from = dateOf(ps.now.Add(-time.Duration(n) * time.Hour).In(Tehran()))
	case day:
		from = ps.today.AddDate(0, 0, 1-n)
	case week:
		from = ps.today.AddDate(0, 0, 1-7*n)
	case month:
		y, m := shiftMonth(jy, jm, -n)
		from = jalaliClamp(y, m, jd).AddDate(0, 0, 1)
	default:
		from = jalaliClamp(jy-n, jm, jd).AddDate(0, 0, 1)
	}
	return Period{from, ps.today}
}

// numeric reads «2025-10-05» and «1404/07/13» at i: year, month and day
// separated by the same «-», «/» or «.». The year says the calendar, as
// in [CalendarDate] (the range article headers have too).
func (ps *parser) numeric(i int) expr {
	a, b, c := ps.word(i), ps.word(i+1), ps.word(i+2)
	if len(a) != 4 || !isDigits(a) || !isDayDigits(b) || !isDayDigits(c) {
		return expr{}
	}
	sep := ps.gap(i + 1)
	if sep != ps.gap(i+2) || sep != "-" && sep != "/" && sep != "." {
		return expr{}
	}
	y, _ := strconv.Atoi(a)
	m, _ := strconv.Atoi(b)
	d, _ := strconv.Atoi(c)
	t, known, ok := CalendarDate(y, m, d)
	if !known {
		return expr{}
	}
	return expr{end: i + 3, p: oneDay(t), bad: !ok}
}

// jalali reads a Jalali date «۱۵ مهر [۱۴۰۴]», «پانزدهم مهرماه» or a
// month «مهر ۱۴۰۴», «ماه مهر», «مهرماه» at i. A month name alone («مهر»,
// «دی», «تیر» are also words) needs bare, «ماه» or a year.
func (ps *parser) jalali(i int, bare bool) expr {
	if e := ps.dayMonth(i); e.end > 0 {
		return e
	}
	j := i
	if ps.word(i) == "ماه" {
		j, bare = i+1, true
	}
	m, k, marked := ps.monthName(j)
	if m == 0 {
		return expr{}
	}
	y, k2 := ps.year(k)
	if !bare && !marked && y == 0 && !plainMonths[m] {
		return expr{}
	}
	ps.yearless = ps.yearless || y == 0
	return expr{end: k2, month: m, year: y}
}

// dayMonth reads a day, a month name and an optional year at i.
func (ps *parser) dayMonth(i int) expr {
	d, k, ok := ps.dayNumber(i)
	if !ok {
		return expr{}
	}
	m, k, _ := ps.monthName(k)
	if m == 0 {
		return expr{}
	}
	y, k := ps.year(k)
	ps.yearless = ps.yearless || y == 0
	return expr{end: k, month: m, day: d, year: y}
}

// dayNumber reads a day of the month at i: 1–31 in digits («۱۵», «۱۵ام»)
// or an ordinal («پانزدهم», «بیست و یکم», «سی ام»).
func (ps *parser) dayNumber(i int) (d, next int, ok bool) {
	w := ps.word(i)
	if n := strings.TrimSuffix(strings.TrimSuffix(w, "ام"), "م"); isDayDigits(n) {
		d, _ = strconv.Atoi(n)
		return d, i + 1, d >= 1 && d <= 31
	}
	for n := 3; n >= 1; n-- {
		if i+n > len(ps.toks) {
			continue
		}
		words := make([]string, n)
		for k := range words {
			words[k] = ps.word(i + k)
		}
		if d, ok := ordinals[strings.Join(words, " ")]; ok {
			return d, i + n, true
		}
	}
	return 0, 0, false
}

// monthName reads a Jalali month name at i, with «ماه» joined or after it
// («مهرماه», «مهر ماه»), which marks it as a month for sure.
func (ps *parser) monthName(i int) (m, next int, marked bool) {
	w := ps.word(i)
	if m := months[w]; m > 0 {
		if ps.word(i+1) == "ماه" {
			return m, i + 2, true
		}
		return m, i + 1, false
	}
	if name, ok := strings.CutSuffix(w, "ماه"); ok && months[name] > 0 {
		return months[name], i + 1, true
	}
	return 0, 0, false
}

// year reads a Jalali year 1300–1499 at i, optionally after «سال»; y is 0
// when there is none.
func (ps *parser) year(i int) (y, next int) {
	j := i
	if ps.word(j) == "سال" {
		j++
	}
	w := ps.word(j)
	if len(w) != 4 || !isDigits(w) {
		return 0, i
	}
	y, _ = strconv.Atoi(w)
	if !isJalaliYear(y) {
		return 0, i
	}
	return y, j + 1
}

// months maps canonical month names («ابان», since Canonical folds «آ») to
// 1–12, with the older «امرداد» for مرداد.
var months = func() map[string]int {
	m := map[string]int{"امرداد": 5}
	for i := 1; i <= 12; i++ {
		m[Canonical(MonthName(i))] = i
	}
	return m
}()

// plainMonths are the months whose names are no other common word, read
// alone («تورم شهریور»); «مهر», «دی», «تیر», «آذر», «بهمن» are also words
// or names and need «در», «ماه» or a year.
var plainMonths = map[int]bool{1: true, 2: true, 3: true, 5: true, 6: true, 8: true, 12: true}

// ordinals maps canonical ordinal phrases, words joined by one space, to
// days of the month: «اول» and «یکم» to 1, «بیست و یکم» and «بیستویکم»
// (from «بیست‌ویکم») to 21, «سی ام» and «سیام» to 30.
var ordinals = func() map[string]int {
	m := map[string]int{
		"اول": 1, "دهم": 10, "یازدهم": 11, "دوازدهم": 12, "سیزدهم": 13,
		"چهاردهم": 14, "پانزدهم": 15, "شانزدهم": 16, "هفدهم": 17, "هفتدهم": 17,
		"هجدهم": 18, "هیجدهم": 18, "هژدهم": 18, "نوزدهم": 19, "بیستم": 20,
		"سیام": 30, "سی ام": 30, "سی و یکم": 31, "سیویکم": 31,
	}
	units := []string{"یکم", "دوم", "سوم", "چهارم", "پنجم", "ششم", "هفتم", "هشتم", "نهم"}
	for i, u := range units {
		m[u] = i + 1
		m["بیست و "+u] = 21 + i
		m["بیستو"+u] = 21 + i
	}
	return m
}()

// isDigits reports whether s is non-empty and all ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isDayDigits reports whether s is one or two ASCII digits.
func isDayDigits(s string) bool { return len(s) <= 2 && isDigits(s) }

// oneDay is the period of the single day d.
func oneDay(d time.Time) Period { return Period{d, d} }
