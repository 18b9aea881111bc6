package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/khabar/khabar/persian"
)

// clockSetting is NOW and the --now flag: an RFC 3339 instant
// (2025-10-12T12:00:00+03:30) or a date (2025-10-12, noon in Tehran). The
// zero value is the wall clock.
type clockSetting struct{ t time.Time }

// UnmarshalText parses an RFC 3339 instant or a YYYY-MM-DD date.
func (c *clockSetting) UnmarshalText(b []byte) error {
	s := string(b)
	if s == "" {
		c.t = time.Time{}
		return nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		c.t = t
		return nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, persian.Tehran())
	if err != nil {
		return fmt.Errorf("%q is neither RFC 3339 (2025-10-12T12:00:00+03:30) nor YYYY-MM-DD", s)
	}
	c.t = d.Add(12 * time.Hour)
	return nil
}

// MarshalText renders the setting as RFC 3339, or "" for the wall clock.
func (c clockSetting) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

func (c clockSetting) String() string {
	if c.t.IsZero() {
		return ""
	}
	return c.t.Format(time.RFC3339)
}

// clock returns the program's clock: the wall clock, or one that starts
// at the setting and runs on from the moment clock is called.
func (c clockSetting) clock() func() time.Time {
	if c.t.IsZero() {
		return time.Now
	}
	start, at := time.Now(), c.t
	return func() time.Time { return at.Add(time.Since(start)) }
}

// nowFlag adds --now, which overrides NOW, to a command's flags.
func nowFlag(fl *flag.FlagSet, now *clockSetting) {
	fl.TextVar(now, "now", clockSetting{}, "the clock: RFC 3339 or YYYY-MM-DD (default NOW, else the wall clock)")
}
