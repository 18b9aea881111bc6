package feed

import (
	"bufio"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Spec is one feed as configured: its URL and an optional outlet name.
type Spec struct {
	URL  string
	Name string // the outlet shown for its articles; "" means the feed's own title
}

// ErrBadURL is returned (wrapped) for a feed URL that is not an absolute
// http or https URL with a host.
var ErrBadURL = errors.New("not an http(s) feed URL")

// ValidateURL checks raw and returns it in a normalised form: scheme and
// host in lower case, the fragment dropped. Only http and https are
// accepted.
func ValidateURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%q: %w", raw, ErrBadURL)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" || u.User != nil {
		return "", fmt.Errorf("%q: %w", raw, ErrBadURL)
	}
	u.Host = strings.ToLower(u.Host)
	u.Fragment = ""
	u.RawFragment = ""
	return u.String(), nil
}

// ParseList parses the text of a feeds file: one feed a line, its URL, then
// optionally whitespace and an outlet name (which may contain spaces). Blank
// lines and lines starting with # are skipped, as is the rest of a line
// after " #". It returns the valid feeds, in order and without repeated
// URLs, and one error per bad line ("line 3: …").
func ParseList(text string) ([]Spec, []error) {
	var specs []Spec
	var errs []error
	seen := make(map[string]bool)
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		s, err := parseEntry(sc.Text())
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", n, err))
			continue
		}
		if s.URL == "" || seen[s.URL] {
			continue
		}
		seen[s.URL] = true
		specs = append(specs, s)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	return specs, errs
}

// parseEntry parses one entry, "URL [name]"; a blank or comment entry gives
// the zero Spec.
func parseEntry(line string) (Spec, error) {
	line = strings.TrimSpace(line)
	if i := strings.Index(line, " #"); i >= 0 {
		line = strings.TrimSpace(line[:i])
	}
	if line == "" || strings.HasPrefix(line, "#") {
		return Spec{}, nil
	}
	raw, name, _ := strings.Cut(line, " ")
	if i := strings.IndexAny(raw, "\t"); i >= 0 {
		raw, name = raw[:i], raw[i+1:]+" "+name
	}
	u, err := ValidateURL(raw)
	if err != nil {
		return Spec{}, err
	}
	return Spec{URL: u, Name: strings.Join(strings.Fields(name), " ")}, nil
}

// ParseFeeds parses a FEEDS setting: a comma-separated list whose elements
// are either a feed ("URL [name]") or the path of a feeds file in the
// [ParseList] format, read with readFile. Feeds come in order, each URL
// once. Bad entries are returned as errors next to the good feeds; an
// unreadable file is an error too.
func ParseFeeds(value string, readFile func(string) ([]byte, error)) ([]Spec, []error) {
	var specs []Spec
	var errs []error
	seen := make(map[string]bool)
	add := func(s Spec) {
		if s.URL != "" && !seen[s.URL] {
			seen[s.URL] = true
			specs = append(specs, s)
		}
	}
	for _, elem := range strings.Split(value, ",") {
		elem = strings.TrimSpace(elem)
		if elem == "" {
			continue
		}
		if looksLikeURL(elem) {
			s, err := parseEntry(elem)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			add(s)
			continue
		}
		data, err := readFile(elem)
		if err != nil {
			errs = append(errs, fmt.Errorf("feeds file: %w", err))
			continue
		}
		list, lineErrs := ParseList(string(data))
		for _, e := range lineErrs {
			errs = append(errs, fmt.Errorf("%s: %w", elem, e))
		}
		for _, s := range list {
			add(s)
		}
	}
	return specs, errs
}

// looksLikeURL reports whether an element of a FEEDS list is a URL (with
// any scheme, so that a ftp:// entry is reported as a bad URL, not as a
// missing file).
func looksLikeURL(s string) bool {
	i := strings.Index(s, "://")
	return i > 0 && !strings.ContainsAny(s[:i], "/\\ ")
}
