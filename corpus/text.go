package corpus

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ---- encoding checks ----

const (
	bom              = "\uFEFF"
	binarySniffBytes = 8 << 10
)

// binaryProblem says why data is not text: a UTF-16 byte-order mark, a NUL
// byte or more than 10% control characters other than \n, \r and \t in the
// first 8 KiB. It returns "" for text.
func binaryProblem(data []byte) string {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return "binary file (UTF-16 text; save it as UTF-8)"
	}
	head := data[:min(len(data), binarySniffBytes)]
	if bytes.IndexByte(head, 0) >= 0 {
		return "binary file"
	}
	var runes, controls int
	for _, r := range string(head) {
		runes++
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			controls++
		}
	}
	if controls*10 > runes {
		return "binary file"
	}
	return ""
}

// invalidUTF8Offset returns the offset of the first byte of b that is not
// part of valid UTF-8, or -1.
func invalidUTF8Offset(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// trimText trims white space and invisible format characters (a BOM,
// ZWNJ, direction marks) from both ends of s.
func trimText(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
	})
}

// normalizeNewlines turns \r\n and lone \r into \n.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
