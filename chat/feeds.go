package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/khabar/khabar/corpus/feed"
	"github.com/khabar/khabar/persian"
)

// feeds is the live news feeds /feeds lists and changes; *feed.Poller is
// one.
type feeds interface {
	List() []feed.FeedStatus
	Add(url, name string) (feed.FeedStatus, error)
	Remove(key string) (feed.FeedStatus, error)
}

// feedsCommand answers /feeds, for the bot's admins in a private chat:
// alone it lists the feeds; "add URL [name]" follows a feed, and
// "remove URL|number" stops following one and syncs the index, whose
// articles from it are gone.
func (c *Chat) feedsCommand(ctx context.Context, m Message, args string) Reply {
	switch {
	case !m.Admin:
		return textReply(msgFeedsRefused)
	case !m.Private:
		return textReply(msgFeedsPrivateOnly)
	case c.opts.Feeds == nil:
		return textReply(msgFeedsUnavailable)
	}
	sub, rest, _ := strings.Cut(args, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(sub) {
	case "":
		return textReply(feedsList(c.opts.Feeds.List(), time.Now()))
	case "add", "افزودن":
		url, name, _ := strings.Cut(rest, " ")
		if url == "" {
			return textReply(msgFeedsUsage)
		}
		st, err := c.opts.Feeds.Add(url, strings.TrimSpace(name))
		switch {
		case errors.Is(err, feed.ErrBadURL):
			return textReply(msgFeedsBadURL)
		case errors.Is(err, feed.ErrDuplicate):
			return textReply(msgFeedsDuplicate)
		case err != nil:
			c.log.Error("feeds: add", "err", err)
			return textReply(msgFeedsFailed)
		}
		return textReply(fmt.Sprintf(msgFeedsAdded, st.Outlet, st.URL))
	case "remove", "حذف":
		if rest == "" {
			return textReply(msgFeedsUsage)
		}
		st, err := c.opts.Feeds.Remove(persian.ASCIIDigits(rest))
		switch {
		case errors.Is(err, feed.ErrNotFound):
			return textReply(msgFeedsNotFound)
		case err != nil:
			c.log.Error("feeds: remove", "err", err)
			return textReply(msgFeedsFailed)
		}
		done := fmt.Sprintf(msgFeedsRemoved, st.Outlet, st.URL, persian.Itoa(st.Articles))
		if c.reload == nil || st.Articles == 0 {
			return textReply(done)
		}
		r := textReply(done + "\n" + MsgReloading)
		r.Then = func(ctx context.Context) Reply {
			rep, err := c.reload.Reload(ctx)
			return textReply(done + "\n\n" + reportReply(rep, err).PlainText())
		}
		return r
	}
	return textReply(msgFeedsUsage)
}

// feedsList renders the feeds for /feeds, times in Tehran.
func feedsList(list []feed.FeedStatus, now time.Time) string {
	if len(list) == 0 {
		return msgFeedsNone + "\n" + msgFeedsUsage
	}
	var b strings.Builder
	b.WriteString(fmt.Sprintf(msgFeedsHeading, persian.Itoa(len(list))))
	for _, f := range list {
		b.WriteString("\n\n")
		origin := msgFeedsOriginConfig
		if f.Origin == "admin" {
			origin = msgFeedsOriginAdmin
		}
		fmt.Fprintf(&b, "%s. %s (%s)\n%s\n", persian.Itoa(f.Number), f.Outlet, origin, f.URL)
		if f.LastFetch.IsZero() {
			b.WriteString(msgFeedsNeverFetched)
		} else {
			fmt.Fprintf(&b, msgFeedsLastFetch, tehranTime(f.LastFetch), feedStatusText(f.LastStatus))
		}
		if f.Failures > 0 {
			fmt.Fprintf(&b, msgFeedsFailures, persian.Itoa(f.Failures))
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, msgFeedsCounts, persian.Itoa(f.ItemsSeen), persian.Itoa(f.ArticlesAdded), persian.Itoa(f.Articles))
		if !f.NextPoll.IsZero() {
			b.WriteString("\n")
			if f.NextPoll.After(now) {
				fmt.Fprintf(&b, msgFeedsNextPoll, tehranTime(f.NextPoll))
			} else {
				b.WriteString(msgFeedsNextPollNow)
			}
		}
	}
	b.WriteString("\n\n" + msgFeedsUsage)
	return b.String()
}

// tehranTime renders t as «۱۱ آذر ۱۴۰۵، ۱۲:۳۰» in Tehran time.
func tehranTime(t time.Time) string {
	t = t.In(persian.Tehran())
	return persian.FormatDate(t) + "، " + persian.Digits(t.Format("15:04"))
}

// feedStatusText is the Persian name of a feed.Status value.
func feedStatusText(status string) string {
	if s, ok := feedStatusNames[status]; ok {
		return s
	}
	return status
}
