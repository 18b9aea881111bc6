package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
)

// minSecret is the shortest credential taken out of log lines by value: a
// shorter one (a one-letter user name) would blank ordinary words.
const minSecret = 4

// secrets lists the credentials in cfg that must never reach a log line
// or an error: the token, the API key, the webhook secret, the password of
// DATABASE_URL, and what [redactURL] hides in the four URLs (user:password, passwords, query
// values, bot tokens in paths). Longest first, so that a secret that
// contains another is replaced whole.
func (c Config) secrets() []string {
	var out []string
	add := func(s string) {
		if len(s) >= minSecret && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	add(c.TelegramBotToken)
	add(c.OpenAIAPIKey)
	add(c.WebhookSecret)
	for _, m := range dsnPassword.FindAllStringSubmatch(c.DatabaseURL, -1) {
		pw := m[2]
		add(pw)
		if unq, ok := strings.CutPrefix(pw, "'"); ok {
			add(strings.TrimSuffix(unq, "'"))
		}
	}
	for _, raw := range []string{c.OpenAIBaseURL, c.TelegramAPIEndpoint, c.WebhookURL, c.DatabaseURL} {
		u, err := url.Parse(strings.ReplaceAll(raw, "%s", endpointVerb))
		if err != nil {
			continue
		}
		if u.User != nil {
			add(u.User.String())
			if pw, ok := u.User.Password(); ok {
				add(pw)
				add(url.PathEscape(pw))
			}
		}
		for _, vs := range u.Query() {
			for _, v := range vs {
				add(v)
				add(url.QueryEscape(v))
			}
		}
		for _, t := range pathToken.FindAllString(u.EscapedPath(), -1) {
			add(t)
		}
		add(u.Fragment)
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// scrubber replaces every secret of a configuration with ***.
type scrubber struct{ r *strings.Replacer }

func newScrubber(cfg Config) scrubber {
	var pairs []string
	for _, s := range cfg.secrets() {
		pairs = append(pairs, s, "***")
	}
	if len(pairs) == 0 {
		return scrubber{}
	}
	return scrubber{strings.NewReplacer(pairs...)}
}

func (s scrubber) string(v string) string {
	if s.r == nil {
		return v
	}
	return s.r.Replace(v)
}

// attr is a slog ReplaceAttr: the message and every string, error or
// Stringer value of a record are scrubbed, whichever package logged it
// (a library's error may quote a URL with its query).
func (s scrubber) attr(_ []string, a slog.Attr) slog.Attr {
	if s.r == nil {
		return a
	}
	switch v := a.Value; v.Kind() {
	case slog.KindString:
		if out := s.string(v.String()); out != v.String() {
			a.Value = slog.StringValue(out)
		}
	case slog.KindAny:
		var text string
		switch x := v.Any().(type) {
		case error:
			text = x.Error()
		case fmt.Stringer:
			text = x.String()
		default:
			return a
		}
		if out := s.string(text); out != text {
			a.Value = slog.StringValue(out)
		}
	}
	return a
}

// error returns err with every secret taken out of its text; errors.Is and
// errors.As still see the original chain.
func (s scrubber) error(err error) error {
	if err == nil || s.r == nil {
		return err
	}
	if msg := s.string(err.Error()); msg != err.Error() {
		return &scrubbedError{msg: msg, err: err}
	}
	return err
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }
