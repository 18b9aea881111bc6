package telegramtest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// HTMLError reports text that Telegram's HTML parse mode would not accept.
// The Bot API answers such text with
// "Bad Request: can't parse entities: " followed by Reason.
type HTMLError struct {
	// Offset is the byte offset in the input where the problem was found.
	Offset int
	// Reason is a Telegram-style description of the problem, such as
	// `Unsupported start tag "br" at byte offset 5`.
	Reason string
}

// Error returns the Reason.
func (e *HTMLError) Error() string { return e.Reason }

func htmlErrorf(offset int, format string, args ...any) *HTMLError {
	return &HTMLError{Offset: offset, Reason: fmt.Sprintf(format, args...)}
}

// supportedTags are the tags Telegram's HTML parse mode understands.
var supportedTags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true,
	"u": true, "ins": true, "s": true, "strike": true, "del": true,
	"span": true, "tg-spoiler": true, "tg-emoji": true,
	"code": true, "pre": true, "blockquote": true,
}

// entityTypes maps tags with a fixed entity type to that type.
var entityTypes = map[string]string{
	"b": "bold", "strong": "bold",
	"i": "italic", "em": "italic",
	"u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
	"span": "spoiler", "tg-spoiler": "spoiler",
	"tg-emoji": "custom_emoji",
}

// ValidateHTML reports whether s is valid text for parse_mode HTML. It
// returns nil or an *HTMLError.
//
// The rules are Telegram's, as implemented by TDLib, with two deliberate
// tightenings so that escaping bugs surface in tests: in text every "&" must
// start one of the entities &lt; &gt; &amp; &quot; &#NNN; &#xHH; (Telegram
// silently shows other ampersands literally), and <a> must carry a non-empty
// href (Telegram silently drops such links). Attribute values are decoded
// leniently, as Telegram does. ValidateHTML does not check the length or
// emptiness of the resulting text; the fake's sendMessage does.
func ValidateHTML(s string) error {
	_, _, err := ParseHTML(s)
	return err
}

// VisibleText returns the text a user would see for the HTML-formatted
// message s: tags removed and entities decoded. It fails like ValidateHTML.
func VisibleText(html string) (string, error) {
	text, _, err := ParseHTML(html)
	return text, err
}

// UTF16Len returns the length of s in UTF-16 code units, the unit Telegram
// uses for message length limits and entity offsets. Characters outside the
// Basic Multilingual Plane, such as most emoji, count 2.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

type openTag struct {
	name       string
	arg        string // href, code language, spoiler class or custom emoji id
	expandable bool
	u16        int // UTF-16 offset of the tag's content in the output
}

// ParseHTML parses s as Telegram parse_mode HTML and returns the visible text
// with the message entities Telegram would produce (offsets and lengths in
// UTF-16 code units). It fails like ValidateHTML.
func ParseHTML(s string) (string, []tgbotapi.MessageEntity, error) {
	if !utf8.ValidString(s) {
		return "", nil, htmlErrorf(0, "strings must be encoded in UTF-8")
	}
	var (
		out   strings.Builder
		u16   int
		stack []openTag
		ents  []tgbotapi.MessageEntity
	)
	for i := 0; i < len(s); {
		switch s[i] {
		case '&':
			r, n, err := decodeEntity(s, i)
			if err != nil {
				return "", nil, err
			}
			out.WriteRune(r)
			u16 += UTF16Len(string(r))
			i += n
		case '<':
			if i+1 < len(s) && s[i+1] == '/' {
				end, tag, err := parseEndTag(s, i, stack)
				if err != nil {
					return "", nil, err
				}
				stack = stack[:len(stack)-1]
				ents = closeEntity(ents, tag, u16)
				i = end
				continue
			}
			end, tag, err := parseStartTag(s, i)
			if err != nil {
				return "", nil, err
			}
			tag.u16 = u16
			stack = append(stack, tag)
			i = end
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			out.WriteString(s[i : i+n])
			u16 += UTF16Len(s[i : i+n])
			i += n
		}
	}
	if len(stack) > 0 {
		return "", nil, htmlErrorf(len(s), "Can't find end tag corresponding to start tag %q", stack[len(stack)-1].name)
	}
	for i := range ents {
		if ents[i].Type == "code" {
			ents[i].Language = "" // a language only counts directly inside <pre>
		}
	}
	sort.SliceStable(ents, func(a, b int) bool {
		if ents[a].Offset != ents[b].Offset {
			return ents[a].Offset < ents[b].Offset
		}
		return ents[a].Length > ents[b].Length
	})
	return out.String(), ents, nil
}

// closeEntity appends the entity for tag, which ends at UTF-16 offset end.
func closeEntity(ents []tgbotapi.MessageEntity, tag openTag, end int) []tgbotapi.MessageEntity {
	e := tgbotapi.MessageEntity{Offset: tag.u16, Length: end - tag.u16}
	if e.Length == 0 {
		return ents // Telegram drops empty entities
	}
	switch tag.name {
	case "a":
		e.Type, e.URL = "text_link", tag.arg
	case "code":
		// The language is kept only until the enclosing <pre> closes.
		e.Type, e.Language = "code", tag.arg
	case "pre":
		e.Type = "pre"
		if n := len(ents); n > 0 && ents[n-1].Type == "code" && ents[n-1].Offset == e.Offset &&
			ents[n-1].Length == e.Length && ents[n-1].Language != "" {
			e.Language = ents[n-1].Language
			ents = ents[:n-1]
		}
	case "blockquote":
		e.Type = "blockquote"
		if tag.expandable {
			e.Type = "expandable_blockquote"
		}
	default:
		e.Type = entityTypes[tag.name]
	}
	return append(ents, e)
}

// parseStartTag parses the start tag at s[begin] == '<' and returns the
// offset just past it.
func parseStartTag(s string, begin int) (int, openTag, error) {
	j := begin + 1
	for j < len(s) && !isHTMLSpace(s[j]) && s[j] != '>' {
		j++
	}
	if j == len(s) {
		return 0, openTag{}, htmlErrorf(begin, "Unclosed start tag at byte offset %d", begin)
	}
	tag := openTag{name: strings.ToLower(s[begin+1 : j])}
	if !supportedTags[tag.name] {
		return 0, openTag{}, htmlErrorf(begin, "Unsupported start tag %q at byte offset %d", tag.name, begin)
	}
	hasHref, hasEmojiID := false, false
	for {
		for j < len(s) && isHTMLSpace(s[j]) {
			j++
		}
		if j == len(s) {
			return 0, openTag{}, htmlErrorf(begin, "Unclosed start tag %q at byte offset %d", tag.name, begin)
		}
		if s[j] == '>' {
			j++
			break
		}
		nameStart := j
		for j < len(s) && !isHTMLSpace(s[j]) && s[j] != '=' && s[j] != '>' {
			j++
		}
		attr := strings.ToLower(s[nameStart:j])
		if attr == "" {
			return 0, openTag{}, htmlErrorf(begin, "Empty attribute name in the tag %q at byte offset %d", tag.name, begin)
		}
		for j < len(s) && isHTMLSpace(s[j]) {
			j++
		}
		if j == len(s) {
			return 0, openTag{}, htmlErrorf(begin, "Unclosed start tag %q at byte offset %d", tag.name, begin)
		}
		if s[j] != '=' {
			if tag.name == "blockquote" && attr == "expandable" {
				tag.expandable = true
				continue
			}
			return 0, openTag{}, htmlErrorf(begin, "Expected equal sign in declaration of an attribute of the tag %q at byte offset %d", tag.name, begin)
		}
		j++
		for j < len(s) && isHTMLSpace(s[j]) {
			j++
		}
		if j == len(s) {
			return 0, openTag{}, htmlErrorf(begin, "Unclosed start tag %q at byte offset %d", tag.name, begin)
		}
		var value string
		if q := s[j]; q == '"' || q == '\'' {
			valueStart := j + 1
			end := strings.IndexByte(s[valueStart:], q)
			if end < 0 {
				return 0, openTag{}, htmlErrorf(begin, "Unclosed start tag at byte offset %d", begin)
			}
			value = decodeAttribute(s[valueStart : valueStart+end])
			j = valueStart + end + 1
		} else {
			valueStart := j
			for j < len(s) && (isASCIIAlnum(s[j]) || s[j] == '.' || s[j] == '-') {
				j++
			}
			if j == len(s) || (!isHTMLSpace(s[j]) && s[j] != '>') {
				return 0, openTag{}, htmlErrorf(valueStart, "Unexpected end of name token at byte offset %d", valueStart)
			}
			value = strings.ToLower(s[valueStart:j])
		}
		switch {
		case tag.name == "a" && attr == "href":
			tag.arg, hasHref = value, true
		case tag.name == "code" && attr == "class" && strings.HasPrefix(value, "language-"):
			tag.arg = strings.TrimPrefix(value, "language-")
		case tag.name == "span" && attr == "class" && strings.HasPrefix(value, "tg-"):
			tag.arg = strings.TrimPrefix(value, "tg-")
		case tag.name == "tg-emoji" && attr == "emoji-id":
			tag.arg, hasEmojiID = value, true
		case tag.name == "blockquote" && attr == "expandable":
			tag.expandable = true
		}
	}
	switch tag.name {
	case "span":
		if tag.arg != "spoiler" {
			return 0, openTag{}, htmlErrorf(begin, "Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
		}
	case "a":
		if !hasHref || strings.TrimSpace(tag.arg) == "" {
			return 0, openTag{}, htmlErrorf(begin, "Tag \"a\" must have a non-empty attribute \"href\" at byte offset %d", begin)
		}
	case "tg-emoji":
		if _, err := strconv.ParseInt(tag.arg, 10, 64); !hasEmojiID || err != nil {
			return 0, openTag{}, htmlErrorf(begin, "Invalid custom emoji identifier specified")
		}
	}
	return j, tag, nil
}

// parseEndTag parses the end tag at s[begin:] == "</..." and returns the
// offset just past it and the open tag it closes.
func parseEndTag(s string, begin int, stack []openTag) (int, openTag, error) {
	if len(stack) == 0 {
		return 0, openTag{}, htmlErrorf(begin, "Unexpected end tag at byte offset %d", begin)
	}
	j := begin + 2
	for j < len(s) && !isHTMLSpace(s[j]) && s[j] != '>' {
		j++
	}
	name := strings.ToLower(s[begin+2 : j])
	for j < len(s) && isHTMLSpace(s[j]) {
		j++
	}
	if j == len(s) || s[j] != '>' {
		return 0, openTag{}, htmlErrorf(begin, "Unclosed end tag at byte offset %d", begin)
	}
	top := stack[len(stack)-1]
	if name != "" && name != top.name {
		return 0, openTag{}, htmlErrorf(begin, "Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.name, name)
	}
	return j + 1, top, nil
}

// decodeEntity decodes the character reference at s[i] == '&' strictly and
// returns the character and the reference's length in bytes.
func decodeEntity(s string, i int) (rune, int, error) {
	j := i + 1
	if j < len(s) && s[j] == '#' {
		j++
		base := 10
		if j < len(s) && s[j] == 'x' {
			base = 16
			j++
		}
		start := j
		for j < len(s) && (isASCIIDigit(s[j]) || base == 16 && isHexLetter(s[j])) {
			j++
		}
		if j == start || j == len(s) || s[j] != ';' {
			return 0, 0, htmlErrorf(i, "Malformed numeric character reference at byte offset %d", i)
		}
		v, err := strconv.ParseUint(s[start:j], base, 32)
		if err != nil || v == 0 || v > utf8.MaxRune || v >= 0xD800 && v <= 0xDFFF {
			return 0, 0, htmlErrorf(i, "Invalid numeric character reference %q at byte offset %d", s[i:j+1], i)
		}
		return rune(v), j + 1 - i, nil
	}
	for j < len(s) && isASCIILetter(s[j]) {
		j++
	}
	if j == i+1 || j == len(s) || s[j] != ';' {
		return 0, 0, htmlErrorf(i, "Unescaped \"&\" at byte offset %d, use \"&amp;\"", i)
	}
	switch s[i+1 : j] {
	case "lt":
		return '<', j + 1 - i, nil
	case "gt":
		return '>', j + 1 - i, nil
	case "amp":
		return '&', j + 1 - i, nil
	case "quot":
		return '"', j + 1 - i, nil
	}
	return 0, 0, htmlErrorf(i, "Unsupported HTML entity %q at byte offset %d", s[i:j+1], i)
}

// decodeAttribute decodes the character references in an attribute value,
// leaving anything that is not a valid reference as it is.
func decodeAttribute(v string) string {
	if !strings.Contains(v, "&") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); {
		if v[i] == '&' {
			if r, n, err := decodeEntity(v, i); err == nil {
				b.WriteRune(r)
				i += n
				continue
			}
		}
		b.WriteByte(v[i])
		i++
	}
	return b.String()
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

func isASCIIDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isHexLetter(c byte) bool   { return 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isASCIIAlnum(c byte) bool  { return isASCIIDigit(c) || isASCIILetter(c) }
