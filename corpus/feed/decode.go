package feed

import (
	"bytes"
	"errors"
	"mime"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
)

// errEncoding is returned by the decoders when no charset gives readable
// text: the body is not indexed.
var errEncoding = errors.New("undecodable text (invalid UTF-8 or mojibake)")

// decoded is a body turned into UTF-8, with the charset that was used and a
// note when the declared charset was wrong or a repair was needed.
type decoded struct {
	text    []byte
	charset string
	note    string // "" when the declared charset was right
}

// xmlEncodingRE finds the encoding of an XML declaration.
var xmlEncodingRE = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// httpCharset returns the charset parameter of a Content-Type header, or "".
func httpCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(params["charset"]))
}

// xmlDeclCharset returns the encoding named by body's XML declaration, or "".
func xmlDeclCharset(body []byte) string {
	head := body[:min(len(body), 512)]
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if m := xmlEncodingRE.FindSubmatch(head); m != nil {
		return strings.ToLower(string(m[1]))
	}
	return ""
}

// decodeXML turns a feed body into UTF-8, by its byte-order mark, the HTTP
// charset, the XML declaration, and a sniff, in that order of trust, and
// rewrites its XML declaration to name UTF-8 (so the parser does not decode
// it twice). See [decodeText] for the rules.
func decodeXML(body []byte, contentType string) (decoded, error) {
	d, err := decodeText(body, httpCharset(contentType), xmlDeclCharset(body))
	if err != nil {
		return d, err
	}
	d.text = rewriteXMLDecl(d.text)
	return d, nil
}

// decodeHTML turns a web page into UTF-8 like [decodeXML], with the page's
// <meta charset> in place of the XML declaration.
func decodeHTML(body []byte, contentType string) (decoded, error) {
	meta := ""
	if _, name, certain := charset.DetermineEncoding(body, "text/html"); certain {
		meta = name
	}
	return decodeText(body, httpCharset(contentType), meta)
}

// decodeText decodes body. The rules:
//   - a UTF-8 byte-order mark, or a body that is valid UTF-8 and not plain
//     ASCII, is UTF-8 whatever the labels say (a legacy text is practically
//     never valid UTF-8);
//   - otherwise each declared non-UTF-8 label in turn, while its result is
//     readable; then windows-1256 (Persian sites' legacy charset);
//   - UTF-8 whose text reads as Latin-1 mojibake (UTF-8 decoded as
//     windows-1252 and encoded again) is repaired when the reverse gives
//     clean UTF-8, and rejected otherwise;
//   - a UTF-8 body with a few invalid bytes (at most 1 in 100 non-ASCII
//     bytes) keeps its valid text, the bad bytes dropped.
//
// It fails with errEncoding when no rule gives readable text.
func decodeText(body []byte, labels ...string) (decoded, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	declared := ""
	for _, l := range labels {
		if l != "" {
			declared = l
			break
		}
	}
	note := func(cs string) string {
		if declared == "" || sameCharset(declared, cs) {
			return ""
		}
		return "declared charset " + declared + ", decoded as " + cs
	}
	if utf8.Valid(body) {
		if !looksMojibake(body) {
			return decoded{text: body, charset: "utf-8", note: note("utf-8")}, nil
		}
		if fixed, ok := undoMojibake(body); ok {
			return decoded{text: fixed, charset: "utf-8", note: "double-encoded UTF-8 repaired"}, nil
		}
		return decoded{}, errEncoding
	}
	tried := make(map[string]bool)
	for _, l := range append(labels, "windows-1256") {
		enc, name := charset.Lookup(l)
		if enc == nil || tried[name] || name == "utf-8" {
			continue
		}
		tried[name] = true
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil || !readable(out) || looksMojibake(out) {
			continue
		}
		return decoded{text: out, charset: name, note: note(name)}, nil
	}
	if mostlyUTF8(body) {
		return decoded{text: bytes.ToValidUTF8(body, nil), charset: "utf-8", note: "invalid UTF-8 bytes dropped"}, nil
	}
	return decoded{}, errEncoding
}

// readable reports whether decoded text is plausible: valid UTF-8 without
// U+FFFD, without control characters other than spacing, and with letters
// for most of its non-ASCII runes.
func readable(text []byte) bool {
	if !utf8.Valid(text) {
		return false
	}
	var high, letters int
	for _, r := range string(text) {
		switch {
		case r == utf8.RuneError, r < 0x20 && r != '\n' && r != '\r' && r != '\t', r >= 0x7f && r < 0xa0:
			return false
		case r >= 0x80:
			high++
			if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsSpace(r) || r == 0x200c {
				letters++
			}
		}
	}
	return letters*10 >= high*7
}

// sameCharset reports whether two labels name one encoding.
func sameCharset(a, b string) bool {
	_, na := charset.Lookup(a)
	_, nb := charset.Lookup(b)
	return na != "" && na == nb
}

// mostlyUTF8 reports whether b is UTF-8 with at most 1 invalid byte in 100
// non-ASCII bytes.
func mostlyUTF8(b []byte) bool {
	var bad, high int
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			bad++
		}
		if b[0] >= 0x80 {
			high += n
		}
		b = b[n:]
	}
	return high > 0 && bad*100 <= high
}

// rewriteXMLDecl makes an XML declaration name UTF-8.
func rewriteXMLDecl(b []byte) []byte {
	m := xmlEncodingRE.FindSubmatchIndex(b[:min(len(b), 512)])
	if m == nil {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:m[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, b[m[3]:]...)
}

// isMojibakeRune reports whether r is one of the characters that Persian
// UTF-8 or windows-1256 bytes turn into when read as Latin-1 or
// windows-1252: the Latin-1 supplement, the C1 controls, and the
// windows-1252 extras (Œ, „, †, ™…).
func isMojibakeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0xFF && r != 0xA0:
		return true
	case r >= 0x152 && r <= 0x17E, r == 0x192, r == 0x2C6, r == 0x2DC:
		return true
	case r >= 0x2013 && r <= 0x203A, r == 0x20AC, r == 0x2122:
		return true
	}
	return false
}

// looksMojibake reports whether text reads like Latin-1 mojibake: at least
// three words (and a fifth of the words with non-ASCII letters) made mostly
// of mojibake runes. French or German text, where such letters sit alone
// between ASCII ones, does not qualify; neither does Persian.
func looksMojibake(text []byte) bool {
	var bad, nonASCII, moji, letters int
	hasHigh := false
	endWord := func() {
		if hasHigh {
			nonASCII++
			if moji >= 2 && moji > letters {
				bad++
			}
		}
		moji, letters, hasHigh = 0, 0, false
	}
	for len(text) > 0 {
		r, n := rune(text[0]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(text)
		}
		text = text[n:]
		switch {
		case unicode.IsSpace(r) || r == '<' || r == '>':
			endWord()
			continue
		case r < utf8.RuneSelf:
			if unicode.IsLetter(r) {
				letters++
			}
			continue
		}
		hasHigh = true
		if isMojibakeRune(r) {
			moji++
		} else if unicode.IsLetter(r) {
			letters++
		}
	}
	endWord()
	return bad >= 3 && bad*5 >= nonASCII
}

// undoMojibake reverses a double encoding: each rune back to the
// windows-1252 byte it came from (Latin-1 for the bytes windows-1252 leaves
// undefined), which must then be clean UTF-8.
func undoMojibake(text []byte) ([]byte, bool) {
	raw := make([]byte, 0, len(text))
	for _, r := range string(text) {
		switch b, ok := charmap.Windows1252.EncodeRune(r); {
		case r < 0x100:
			raw = append(raw, byte(r))
		case ok:
			raw = append(raw, b)
		default:
			return nil, false
		}
	}
	if !utf8.Valid(raw) || looksMojibake(raw) {
		return nil, false
	}
	return raw, true
}
