package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzMarker is a value the fuzzer's seeds place in every position of a
// .env file; no error may ever contain it.
const fuzzMarker = "Zq7MarkerSecret"

// FuzzEnvFile reads arbitrary .env content (with a token and a key around
// it) through the whole configuration: it never panics, a syntax error is
// exactly "file:line: reason" with one of the fixed reasons, and no error
// ever contains a credential or the marker value.
func FuzzEnvFile(f *testing.F) {
	for _, seed := range []string{
		"TOP_K=5",
		"TOP_K " + fuzzMarker,
		"LOG_LEVEL=\"" + fuzzMarker,
		"LOG_LEVEL='" + fuzzMarker + "\nTOP_K=3",
		"EMBEDDER=" + fuzzMarker,
		"TOP_K=" + fuzzMarker,
		"OPENAI_TIMEOUT=" + fuzzMarker,
		"ADMIN_USER_IDS=1," + fuzzMarker,
		"OPENAI_BASE_URL=ftp://u:" + fuzzMarker + "@h/v1",
		"WEBHOOK_URL=http://h/" + fuzzMarker,
		"TELEGRAM_API_ENDPOINT=" + fuzzMarker,
		"OPS_LISTEN=" + fuzzMarker,
		"export A=\"x\" " + fuzzMarker,
		"A=\u00a0\"" + fuzzMarker + "\nB=\"",
		"A=\"\\\"" + fuzzMarker + "\"",
		"A=$" + fuzzMarker,
		"\x00" + fuzzMarker,
		"A=1\r" + fuzzMarker,
		"#" + fuzzMarker + "\nOOPS",
	} {
		f.Add(seed)
	}
	reasons := []string{reasonNoEquals, reasonBadKey, reasonUnterminated, reasonAfterQuote, reasonCarriage, reasonNUL, reasonNotUnderstood}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(dir, "fuzz.env")
		file := "OPENAI_API_KEY=" + envKey + "\n" + content + "\nTELEGRAM_BOT_TOKEN=" + envToken + "\n"
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := loadConfig(mapenv(map[string]string{"ENV_FILE": path, "DATA_DIR": dir}))
		if err == nil {
			return
		}
		msg := err.Error()
		for _, leak := range []string{fuzzMarker, "AAEnvFileTokenSecret", "envfileKEYsecret42"} {
			if strings.Contains(msg, leak) {
				t.Fatalf("the error quotes %q: %s", leak, msg)
			}
		}
		var se *EnvSyntaxError
		if errors.As(err, &se) {
			if se.Path != path || !containsString(reasons, se.Reason) {
				t.Fatalf("a syntax error with an unknown shape: %#v", se)
			}
			// The whole message: the variable, the file, the line, the reason.
			if want := "ENV_FILE: " + se.Error(); msg != want {
				t.Fatalf("got %q, want %q", msg, want)
			}
		}
	})
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
