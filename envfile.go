package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/joho/godotenv"
)

// EnvSyntaxError is a malformed line of a .env file. It names the file,
// the line and what is wrong, and never quotes the line: a .env file holds
// the bot token and the API key, and godotenv's own errors quote the rest
// of the file from the point where it stopped.
type EnvSyntaxError struct {
	Path   string
	Line   int // 1-based; 0 when the file as a whole is unreadable
	Reason string
}

func (e *EnvSyntaxError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Reason)
}

// Reasons of an [EnvSyntaxError]; these are the only texts it carries.
const (
	reasonNoEquals      = "not a KEY=value line (no =)"
	reasonBadKey        = "the variable name is not letters, digits and _ (starting with a letter or _)"
	reasonUnterminated  = "unterminated quoted value (a quote must close on the same line)"
	reasonAfterQuote    = "text after the closing quote (only a # comment may follow)"
	reasonCarriage      = "a carriage return inside the line"
	reasonNUL           = "a NUL byte"
	reasonNotUnderstood = "not understood by the .env parser"
)

// readEnvFile reads the .env file at path. Each line is checked by
// [checkEnvLine] first, so that a malformed file fails with the file and
// line only; the lines that pass are read by godotenv (variable expansion,
// escapes and comments stay its own).
func readEnvFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err // an *fs.PathError: the path and the reason, no content
	}
	return parseEnv(path, data)
}

// parseEnv is [readEnvFile] on the file's content.
func parseEnv(path string, data []byte) (map[string]string, error) {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	for i, line := range bytes.Split(data, []byte("\n")) {
		if reason := checkEnvLine(line); reason != "" {
			return nil, &EnvSyntaxError{Path: path, Line: i + 1, Reason: reason}
		}
	}
	vals, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		// Not reached with lines that passed the check; its text would
		// quote the file, so only say that it failed.
		return nil, &EnvSyntaxError{Path: path, Reason: reasonNotUnderstood}
	}
	return vals, nil
}

// checkEnvLine returns why one line of a .env file is malformed, or "" when
// it is blank, a # comment or `[export ]KEY=value` whose quoted value (if
// any) closes on the same line and is followed by nothing but a comment.
// It accepts a subset of what godotenv reads: a multi-line quoted value is
// refused, since a quote left open would swallow the lines after it (the
// token among them) into one value.
func checkEnvLine(line []byte) string {
	if bytes.IndexByte(line, 0) >= 0 {
		return reasonNUL
	}
	if bytes.IndexByte(line, '\r') >= 0 {
		return reasonCarriage
	}
	s := strings.TrimLeftFunc(string(line), envSpace)
	if s == "" || s[0] == '#' {
		return ""
	}
	if rest, ok := strings.CutPrefix(s, "export"); ok && strings.IndexFunc(rest, envSpace) == 0 {
		s = strings.TrimLeftFunc(rest, envSpace)
	}
	key, value, ok := strings.Cut(s, "=")
	if !ok {
		return reasonNoEquals
	}
	if !validEnvKey(strings.TrimRightFunc(key, envSpace)) {
		return reasonBadKey
	}
	value = strings.TrimLeftFunc(value, envSpace)
	if value == "" || (value[0] != '"' && value[0] != '\'') {
		return ""
	}
	// godotenv ends a quoted value at the first quote not preceded by a
	// backslash (for both kinds of quote).
	q := value[0]
	end := -1
	for i := 1; i < len(value); i++ {
		if value[i] == q && value[i-1] != '\\' {
			end = i
			break
		}
	}
	if end < 0 {
		return reasonUnterminated
	}
	after := strings.TrimLeftFunc(value[end+1:], envSpace)
	if after != "" && after[0] != '#' {
		return reasonAfterQuote
	}
	return ""
}

// validEnvKey reports whether k is a variable name: ASCII letters, digits
// and _, not starting with a digit.
func validEnvKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// envSpace is godotenv's blank inside a line (its isSpace): trimming with
// it finds the quote godotenv sees.
func envSpace(r rune) bool {
	switch r {
	case '\t', '\v', '\f', '\r', ' ', 0x85, 0xA0:
		return true
	}
	return false
}
