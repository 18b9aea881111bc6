package feed

import (
	"fmt"
	"strings"
	"time"

	"github.com/khabar/khabar/corpus/jsonfile"
)

// record is one stored article: a line of a feed's .jsonl file. Its first
// six fields are the corpus .jsonl article format ([corpus.Fields]); the
// others are the feed's own bookkeeping, which the corpus ignores.
type record struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Text   string `json:"text"`
	Source string `json:"source"`
	Date   string `json:"date"` // RFC 3339 in Tehran time: the loader keeps its Tehran calendar day
	URL    string `json:"url"`

	Feed      string    `json:"feed"` // the feed URL it came from
	GUID      string    `json:"guid,omitempty"`
	Canonical string    `json:"canonical,omitempty"`
	Hash      string    `json:"hash"`     // of the article's title and text
	SrcHash   string    `json:"src_hash"` // of the feed item as given
	Published time.Time `json:"published"`
	Added     time.Time `json:"added"`
	Updated   time.Time `json:"updated,omitzero"`
	NoDate    bool      `json:"no_date,omitempty"`   // the item had no date: Published is the fetch time
	FullText  bool      `json:"full_text,omitempty"` // Text came from the item's page
}

// registryFile holds the feeds an admin added, and the configured feeds an
// admin removed.
type registryFile struct {
	Added   []addedFeed `json:"added"`
	Removed []string    `json:"removed,omitempty"`
}

type addedFeed struct {
	URL   string    `json:"url"`
	Name  string    `json:"name,omitempty"`
	Added time.Time `json:"added"`
}

// stateFile holds every feed's [State], by feed URL.
type stateFile struct {
	Feeds map[string]State `json:"feeds"`
}

const (
	registryName = "feeds.json"
	stateName    = "state.json"
)

// decodeRecords decodes a feed's stored .jsonl, named name in the
// problems. A bad line is skipped and reported.
func decodeRecords(data []byte, name string) ([]*record, []Problem) {
	recs, bad := jsonfile.DecodeLines(data, func(r *record) bool { return r.ID != "" && r.Text != "" })
	var probs []Problem
	for _, b := range bad {
		reason := b.Reason
		if b.Line > 0 {
			reason = fmt.Sprintf("line %d: %s", b.Line, b.Reason)
		}
		probs = append(probs, Problem{Feed: name, Reason: reason, Skipped: true})
	}
	return recs, probs
}

// FileName is the .jsonl file of the feed at feedURL: its host and a hash
// of the URL ("www.isna.ir-3f2a….jsonl").
func FileName(feedURL string) string {
	host := hostOf(feedURL)
	var b strings.Builder
	for _, r := range host {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return strings.TrimLeft(b.String(), ".") + "-" + shortHash(feedURL) + ".jsonl"
}
