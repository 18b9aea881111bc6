package chat

import (
	"fmt"
	"strings"

	"github.com/khabar/khabar/corpus/channel"
	"github.com/khabar/khabar/persian"
)

// channelLister lists the channels for /channels; *channel.Store is one.
type channelLister interface {
	List() []channel.Info
}

var _ channelLister = (*channel.Store)(nil)

// channelsCommand renders /channels: admins only, in a private chat.
func (c *Chat) channelsCommand(m Message) Reply {
	switch {
	case !m.Admin:
		return textReply(MsgAdminOnly)
	case m.ChatID <= 0:
		return textReply(msgChannelsPrivateOnly)
	case c.opts.Channels == nil:
		return textReply(msgChannelsUnavailable)
	}
	list := c.opts.Channels.List()
	if len(list) == 0 {
		return textReply(msgChannelsNone)
	}
	var counted, other []string
	for _, in := range list {
		line := channelLine(in)
		if in.Counted {
			counted = append(counted, line)
		} else {
			other = append(other, line)
		}
	}
	var b strings.Builder
	b.WriteString(msgChannelsHeading)
	for i, line := range counted {
		fmt.Fprintf(&b, "\n%s. %s", persian.Itoa(i+1), line)
	}
	if len(counted) == 0 {
		b.WriteString("\n" + msgChannelsNoneCounted)
	}
	if len(other) > 0 {
		b.WriteString("\n\n" + msgChannelsOther)
		for _, line := range other {
			b.WriteString("\n• " + line)
		}
	}
	return textReply(b.String())
}

// channelLine describes one channel: «خبر فوری (@khabarfori) — ۱۲ پست؛
// آخرین پست ۱۴ مهر ۱۴۰۴ ساعت ۰۹:۳۰ به وقت تهران».
func channelLine(in channel.Info) string {
	name := in.Title
	if name == "" {
		name = msgChannelUntitled
	}
	who := fmt.Sprintf(msgChannelID, in.ID)
	if in.Username != "" {
		who = "@" + in.Username + "، " + who
	}
	line := name + " (" + who + ") — "
	if in.Posts == 0 {
		line += msgChannelNoPosts
	} else {
		t := in.Last.In(persian.Tehran())
		line += fmt.Sprintf(msgChannelPosts, persian.Itoa(in.Posts), persian.FormatDate(t), persian.Digits(t.Format("15:04")))
	}
	switch {
	case !in.Admin:
		line += msgChannelNotAdmin
	case !in.Counted:
		line += msgChannelNotListed
	}
	return line
}
