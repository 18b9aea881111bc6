package channel

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/khabar/khabar/persian"
)

// Chat is a channel as the transport last saw it.
type Chat struct {
	ID       int64
	Title    string
	Username string // without «@»; "" for a private channel
}

// Post is one channel post (or its edit), converted from the update by
// the transport.
type Post struct {
	Chat      Chat
	MessageID int
	Date      time.Time // when it was posted
	EditDate  time.Time // when it was last edited; zero for a new post
	Text      string    // the text, or the caption of a media post
}

// DefaultMinWords is the fewest words a post needs to become an article,
// not counting links, @mentions and hashtags: below it are a link alone,
// a sticker or photo without caption, «فوری», a poll or a «🔴 زنده»; a
// news flash of one short sentence («زلزله ۵ ریشتری بندرعباس را لرزاند»)
// has six.
const DefaultMinWords = 6

// ArticleID is the stable id of the article of a post.
func ArticleID(channelID int64, messageID int) string {
	return "telegram/" + strconv.FormatInt(channelID, 10) + "/" + strconv.Itoa(messageID)
}

// PostURL is the public link of a post, "" for a private channel.
func PostURL(username string, messageID int) string {
	if username == "" {
		return ""
	}
	return "https://t.me/" + url.PathEscape(username) + "/" + strconv.Itoa(messageID)
}

// CleanText returns the text of a post for the corpus: trimmed, without
// the lines that hold nothing but links, @mentions and symbols (a
// channel's footer, «🆔 @khabarfori»).
func CleanText(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var kept []string
	for line := range strings.SplitSeq(s, "\n") {
		if hasWords(line) {
			kept = append(kept, strings.TrimRightFunc(line, unicode.IsSpace))
		} else if strings.TrimSpace(line) == "" && len(kept) > 0 && kept[len(kept)-1] != "" {
			kept = append(kept, "") // keep paragraph breaks
		}
	}
	return strings.TrimSpace(strings.Join(kept, "\n"))
}

// hasWords reports whether line has a word that is not a link or mention.
func hasWords(line string) bool {
	for _, tok := range strings.Fields(line) {
		if !isLink(tok) && !strings.HasPrefix(tok, "@") && strings.IndexFunc(tok, isWordRune) >= 0 {
			return true
		}
	}
	return false
}

// Words counts the words of text that count toward [DefaultMinWords]:
// tokens with a letter or digit that are not links, mentions or hashtags.
func Words(text string) int {
	n := 0
	for _, tok := range strings.Fields(text) {
		if isLink(tok) || strings.HasPrefix(tok, "@") || strings.HasPrefix(tok, "#") {
			continue
		}
		if strings.IndexFunc(tok, isWordRune) >= 0 {
			n++
		}
	}
	return n
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isLink(tok string) bool {
	t := strings.ToLower(strings.TrimLeft(tok, "([«\"'"))
	for _, p := range []string{"http://", "https://", "www.", "t.me/", "telegram.me/"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// newRecord builds the stored article of p; the title is left to the
// loader, which derives it from the first sentence.
func newRecord(p Post, text string) *record {
	return &record{
		ID:        ArticleID(p.Chat.ID, p.MessageID),
		Text:      text,
		Source:    p.Chat.Title,
		Date:      p.Date.In(persian.Tehran()).Format(time.RFC3339),
		URL:       PostURL(p.Chat.Username, p.MessageID),
		Channel:   p.Chat.ID,
		MessageID: p.MessageID,
		Posted:    p.Date.UTC(),
		Edited:    p.EditDate.UTC(),
	}
}
