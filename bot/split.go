package bot

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxMessageUTF16 is Telegram's limit on the text of one message.
const maxMessageUTF16 = 4096

// minSplitLimit is the smallest limit splitHTML works with: it must hold
// the longest character reference ("&#x10FFFF;") with room to spare.
const minSplitLimit = 16

type atomKind uint8

const (
	atomText  atomKind = iota // one visible character, written as itself or as a character reference
	atomStart                 // a start tag
	atomEnd                   // an end tag
)

// atom is the unit splitHTML never cuts: a character (or the entity that
// writes it) or a whole tag.
type atom struct {
	kind atomKind
	raw  string // as written in the input
	name string // tag name, lower case; "" for text and for "</>"
	r    rune   // the character of a text atom
	n    int    // UTF-16 length of raw
}

// atomize cuts Telegram HTML into atoms. It expects valid markup (see
// telegramtest.ValidateHTML); anything it cannot read as a tag or an entity
// is taken as text.
func atomize(s string) []atom {
	atoms := make([]atom, 0, len(s)/2)
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			if end := tagEnd(s, i); end > 0 {
				raw := s[i:end]
				a := atom{kind: atomStart, raw: raw, n: utf16Len(raw)}
				body := raw[1 : len(raw)-1]
				if strings.HasPrefix(body, "/") {
					a.kind = atomEnd
					body = body[1:]
				}
				name := strings.TrimLeft(body, " \t\r\n\v\f")
				if k := strings.IndexAny(name, " \t\r\n\v\f"); k >= 0 {
					name = name[:k]
				}
				a.name = strings.ToLower(name)
				atoms = append(atoms, a)
				i = end
				continue
			}
		case '&':
			if j := strings.IndexByte(s[i:], ';'); j > 1 && j <= 12 {
				raw := s[i : i+j+1]
				if dec := html.UnescapeString(raw); dec != raw && utf8.RuneCountInString(dec) == 1 {
					r, _ := utf8.DecodeRuneInString(dec)
					atoms = append(atoms, atom{kind: atomText, raw: raw, r: r, n: utf16Len(raw)})
					i += j + 1
					continue
				}
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		atoms = append(atoms, atom{kind: atomText, raw: s[i : i+size], r: r, n: utf16Len(s[i : i+size])})
		i += size
	}
	return atoms
}

// tagEnd returns the offset just past the tag that starts at s[i] == '<',
// or 0 when there is none. It reads tags as Telegram does: a name, then
// attributes whose names run to a space, '=' or '>', with values quoted
// or bare.
func tagEnd(s string, i int) int {
	j := i + 1
	if j < len(s) && s[j] == '/' {
		for j < len(s) && s[j] != '>' && s[j] != '<' {
			j++
		}
		if j < len(s) && s[j] == '>' {
			return j + 1
		}
		return 0
	}
	for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
		j++
	}
	for {
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j == len(s) {
			return 0
		}
		if s[j] == '>' {
			return j + 1
		}
		for j < len(s) && !isSpace(s[j]) && s[j] != '=' && s[j] != '>' {
			j++
		}
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j == len(s) {
			return 0
		}
		if s[j] != '=' {
			continue // an attribute without a value ("expandable")
		}
		j++
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j == len(s) {
			return 0
		}
		if q := s[j]; q == '"' || q == '\'' {
			end := strings.IndexByte(s[j+1:], q)
			if end < 0 {
				return 0
			}
			j += end + 2
			continue
		}
		for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
			j++
		}
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

// Break classes, best first.
const (
	breakNone = iota
	breakHard
	breakWord
	breakSentence
	breakLine
	breakParagraph
)

// sentenceEnd reports whether r ends a sentence.
func sentenceEnd(r rune) bool {
	switch r {
	case '.', '!', '?', '؟', '…', '։', '۔':
		return true
	}
	return false
}

// splitHTML cuts Telegram HTML into parts of at most limit UTF-16 units
// each, markup included, preferring paragraph breaks, then line breaks,
// then sentence ends, then spaces, and never cutting inside a tag, an
// entity or a character. Tags open at a cut are closed at the end of the
// part and reopened (with their attributes) at the start of the next, so
// every part is valid on its own. Whitespace at the cuts and at the end is
// dropped, and so are parts with no visible text. A part that cannot carry its tags (a
// start tag longer than the limit, very deep nesting) is sent as plain,
// escaped text. limit is raised to minSplitLimit.
func splitHTML(s string, limit int) []string {
	limit = max(limit, minSplitLimit)
	if utf16Len(s) <= limit {
		if strings.TrimSpace(plainText(s)) == "" {
			return nil
		}
		return []string{s}
	}
	atoms := atomize(s)
	var parts []string
	var stack []atom // tags open before atoms[i]
	for i := 0; i < len(atoms); {
		first := len(parts) == 0
		end, ok := fitEnd(atoms, i, stack, limit)
		var part string
		if ok {
			part, stack = emit(atoms, i, end, stack, !first, true)
		} else {
			end, part, stack = emitPlain(atoms, i, stack, limit)
		}
		if strings.TrimSpace(plainText(part)) != "" {
			parts = append(parts, part)
		}
		i = end
	}
	return parts
}

// fitEnd chooses where the part that starts at atoms[i] (with stack open)
// ends. ok is false when not even one character fits with its tags.
func fitEnd(atoms []atom, i int, stack []atom, limit int) (end int, ok bool) {
	cost, closers := 0, 0
	for _, t := range stack {
		cost += t.n
		closers += closeLen(t)
	}
	if cost+closers >= limit {
		return 0, false
	}
	minCost := cost + (limit-cost)/3
	depth := len(stack)
	var names []atom // tags opened within this part, to price their closers
	var prev, prevPrev rune = -1, -1
	best := [breakParagraph + 1]int{}
	visible := false
	j := i
	for ; j < len(atoms); j++ {
		a := atoms[j]
		next, nextClosers := cost+a.n, closers
		switch a.kind {
		case atomStart:
			nextClosers += closeLen(a)
		case atomEnd:
			if len(names) > 0 {
				nextClosers -= closeLen(names[len(names)-1])
			} else if depth > 0 {
				nextClosers -= closeLen(stack[depth-1])
			}
		}
		if next+nextClosers > limit {
			break
		}
		cost, closers = next, nextClosers
		switch a.kind {
		case atomStart:
			names = append(names, a)
		case atomEnd:
			if len(names) > 0 {
				names = names[:len(names)-1]
			} else if depth > 0 {
				depth--
			}
		case atomText:
			prevPrev, prev = prev, a.r
			if !unicode.IsSpace(a.r) {
				visible = true
			}
		}
		if !visible {
			continue
		}
		class := breakClass(a, prev, prevPrev)
		if class >= breakWord && cost < minCost {
			class = breakWord // too early for a better break
		}
		best[class] = j + 1
	}
	if j == len(atoms) {
		return j, visible
	}
	for class := breakParagraph; class >= breakHard; class-- {
		if best[class] > i {
			return best[class], true
		}
	}
	return 0, false
}

// breakClass rates a cut just after a, whose text precedes it: prev is the
// last character (a's own for text), prevPrev the one before.
func breakClass(a atom, prev, prevPrev rune) int {
	switch a.kind {
	case atomStart:
		return breakNone // never leave an empty element at the end of a part
	case atomEnd:
		return breakHard
	}
	switch {
	case prev == '\n' && prevPrev == '\n':
		return breakParagraph
	case prev == '\n':
		return breakLine
	case unicode.IsSpace(prev) && sentenceEnd(prevPrev):
		return breakSentence
	case unicode.IsSpace(prev):
		return breakWord
	}
	return breakHard
}

func closeLen(t atom) int { return len(t.name) + 3 }

func openTags(stack []atom) string {
	var b strings.Builder
	for _, t := range stack {
		b.WriteString(t.raw)
	}
	return b.String()
}

func closeTags(stack []atom) string {
	var b strings.Builder
	for i := len(stack) - 1; i >= 0; i-- {
		b.WriteString("</" + stack[i].name + ">")
	}
	return b.String()
}

// push applies a tag to the stack of open tags.
func push(stack []atom, a atom) []atom {
	switch a.kind {
	case atomStart:
		return append(stack, a)
	case atomEnd:
		if len(stack) > 0 {
			return stack[:len(stack)-1]
		}
	}
	return stack
}

// emit renders atoms[i:end] as one part: the open tags reopened, the
// whitespace before the first visible character (trimLead) and after the
// last (trimTrail) dropped, tags kept, and the tags still open at the end
// closed. It returns the part and the stack at end.
func emit(atoms []atom, i, end int, stack []atom, trimLead, trimTrail bool) (string, []atom) {
	firstVisible, lastVisible := end, i-1
	for k := i; k < end; k++ {
		if a := atoms[k]; a.kind == atomText && !unicode.IsSpace(a.r) {
			firstVisible = min(firstVisible, k)
			lastVisible = k
		}
	}
	var b strings.Builder
	b.WriteString(openTags(stack))
	stack = append([]atom(nil), stack...)
	for k := i; k < end; k++ {
		a := atoms[k]
		if a.kind == atomText && (trimLead && k < firstVisible || trimTrail && k > lastVisible) {
			continue // whitespace at a cut
		}
		stack = push(stack, a)
		b.WriteString(a.raw)
	}
	b.WriteString(closeTags(stack))
	return b.String(), stack
}

// emitPlain renders, from atoms[i], as many characters as fit (at least
// one) as plain escaped text, dropping their markup but keeping track of
// it. It returns where it stopped, the part and the stack there.
func emitPlain(atoms []atom, i int, stack []atom, limit int) (int, string, []atom) {
	stack = append([]atom(nil), stack...)
	var b strings.Builder
	cost := 0
	j := i
	for ; j < len(atoms); j++ {
		a := atoms[j]
		if a.kind != atomText {
			stack = push(stack, a)
			continue
		}
		e := escape(string(a.r))
		n := utf16Len(e)
		if cost+n > limit && cost > 0 {
			break
		}
		cost += n
		b.WriteString(e)
	}
	return j, b.String(), stack
}
