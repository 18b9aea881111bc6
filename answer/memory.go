package answer

import (
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/khabar/khabar/persian"
)

// turn is one question and answer of a conversation.
type turn struct {
	question   string // as asked
	standalone string // as searched
	answer     string
	// articles are the articles the answer cited, best first; none when
	// nothing was found. A question that goes on about them is answered
	// from them (see [Composer.continued]).
	articles []string
	at       time.Time
}

// conversations is the memory of the turns: the in-process one, or a
// ConversationStore's.
type conversations interface {
	recent(key string) []turn
	add(key string, t turn)
}

var (
	_ conversations = (*memory)(nil)
	_ conversations = (*storeMemory)(nil)
)

// Turn is one question and answer of a conversation, as a
// [ConversationStore] keeps it.
type Turn struct {
	Question   string    `json:"question"`   // as asked
	Standalone string    `json:"standalone"` // as searched
	Answer     string    `json:"answer"`
	Articles   []string  `json:"articles,omitempty"` // cited, best first
	At         time.Time `json:"at"`
}

// ConversationStore keeps the recent turns of each conversation (a chat
// id) outside the process, for [Options.Conversations]. It is safe for
// concurrent use; a store that fails returns no turns and drops the turn
// added (a follow-up is then read as a new question).
type ConversationStore interface {
	// Recent returns the conversation's turns, oldest first.
	Recent(key string) []Turn
	// Append adds t to the conversation, keeping its last max turns.
	Append(key string, t Turn, max int)
}

// storeMemory is the memory of a ConversationStore, with the bounds of
// the in-process one: turns per conversation, and turns older than ttl
// ignored.
type storeMemory struct {
	store ConversationStore
	turns int
	ttl   time.Duration
	now   func() time.Time
}

func (m *storeMemory) recent(key string) []turn {
	if key == "" || m.turns == 0 {
		return nil
	}
	cutoff := m.now().Add(-m.ttl)
	var out []turn
	for _, t := range m.store.Recent(key) {
		if m.ttl == 0 || t.At.After(cutoff) {
			out = append(out, turn{question: t.Question, standalone: t.Standalone, answer: t.Answer, articles: t.Articles, at: t.At})
		}
	}
	if len(out) > m.turns {
		out = out[len(out)-m.turns:]
	}
	return out
}

func (m *storeMemory) add(key string, t turn) {
	if key == "" || m.turns == 0 {
		return
	}
	m.store.Append(key, Turn{Question: t.question, Standalone: t.standalone, Answer: t.answer, Articles: t.articles, At: m.now()}, m.turns)
}

// maxConversations bounds the memory: the least recently used
// conversation is forgotten first.
const maxConversations = 10000

// memory keeps the last few turns of each conversation for a while, so that
// follow-up questions can be understood. It is safe for concurrent use.
type memory struct {
	turns int
	ttl   time.Duration
	now   func() time.Time

	mu    sync.Mutex                        // guards the turns of the conversations
	convs *lru.Cache[string, *conversation] // most recently added to first
}

type conversation struct {
	turns []turn
}

func newMemory(turns int, ttl time.Duration, now func() time.Time) *memory {
	convs, _ := lru.New[string, *conversation](maxConversations) // fails only for a size below 1
	return &memory{turns: turns, ttl: ttl, now: now, convs: convs}
}

// recent returns the conversation's turns that have not expired, oldest
// first. Reading does not make a conversation recent; adding a turn does.
func (m *memory) recent(key string) []turn {
	if m == nil || key == "" || m.turns == 0 {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.convs.Peek(key)
	if !ok {
		return nil
	}
	cutoff := m.now().Add(-m.ttl)
	live := c.turns[:0]
	for _, t := range c.turns {
		if m.ttl == 0 || t.at.After(cutoff) {
			live = append(live, t)
		}
	}
	c.turns = live
	if len(live) == 0 {
		m.convs.Remove(key)
		return nil
	}
	return append([]turn(nil), live...)
}

// add remembers a turn, forgetting the oldest turns and conversations past
// the bounds.
func (m *memory) add(key string, t turn) {
	if m == nil || key == "" || m.turns == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t.at = m.now()
	c, ok := m.convs.Get(key)
	if !ok {
		c = &conversation{}
	}
	c.turns = append(c.turns, t)
	if len(c.turns) > m.turns {
		c.turns = append([]turn(nil), c.turns[len(c.turns)-m.turns:]...)
	}
	m.convs.Add(key, c) // the most recent; the least recent goes past maxConversations
}

// size is the number of conversations remembered.
func (m *memory) size() int { return m.convs.Len() }

// followUpOpeners start a question that continues the previous one.
var followUpOpeners = map[string]bool{"و": true, "اما": true, "ولی": true, "پس": true, "حالا": true, "خب": true, "همچنین": true}

// followUpRefs are words that refer back to the previous question.
var followUpRefs = map[string]bool{"او": true, "وی": true, "انها": true, "ایشان": true, "ان": true, "این": true, "اینها": true, "همین": true, "همان": true, "اونجا": true, "انجا": true}

// isFollowUp reports whether a question reads as a continuation of the
// conversation: it opens with «و», «اما» … or refers back («او», «آن» …).
func isFollowUp(question string) bool {
	toks := persian.Tokens(question)
	if len(toks) == 0 {
		return false
	}
	if followUpOpeners[toks[0]] {
		return true
	}
	for _, t := range toks {
		if followUpRefs[t] {
			return true
		}
	}
	// A spoken clitic refers back as well: «گل اولش» is «گل اول آن».
	for _, t := range strings.Fields(persian.Written(question)) {
		if followUpRefs[t] {
			return true
		}
	}
	return false
}

// carryOver makes a follow-up standalone without a model. The follow-up's
// own words lead; the previous standalone question only supplies what the
// follow-up leaves out. When the previous question is «X درباره Y …» and
// the follow-up names its own topic («و درباره داعش چه گفت؟»), only the
// subject X is carried: «وزیر دفاع عراق درباره داعش چه گفت؟», not Y. Else
// the previous question's words follow the follow-up's, the opening «و»
// dropped.
func carryOver(question string, prev turn) string {
	own := dropOpener(strings.Fields(question))
	words := strings.Fields(prev.standalone)
	if subject, _, ok := splitTopic(words); ok {
		// The follow-up's subject, if it has a topic marker: none («درباره
		// داعش …») or a pronoun («او درباره داعش …») is the previous one.
		for i := range own {
			if isTopicMarker(own, i) == 0 {
				continue
			}
			if onlyRefs(own[:i]) {
				return strings.TrimSpace(strings.Join(subject, " ") + " " + strings.Join(own[i:], " "))
			}
			return strings.Join(own, " ") // it names its own subject
		}
	}
	// What the previous question asked («چند چند شد»، «کی») is not asked
	// again: the follow-up's own question word is the one to meet.
	if asksItself(own) {
		kept := words[:0:0]
		for _, w := range words {
			if c := persian.Canonical(w); c != "" && !questionWords[c] {
				kept = append(kept, w)
			}
		}
		words = kept
	}
	if len(words) > maxCarriedWords {
		words = words[len(words)-maxCarriedWords:]
	}
	return strings.TrimSpace(strings.Join(own, " ") + " " + strings.Join(words, " "))
}

// asksItself reports whether words hold a question word of their own
// («دقیقه چند»), not only a topic («و آموزش؟»).
func asksItself(words []string) bool {
	for _, w := range words {
		if questionWords[persian.Canonical(w)] {
			return true
		}
	}
	// A spoken question word: «تا کیه» is «تا کیست».
	for _, w := range strings.Fields(persian.Written(strings.Join(words, " "))) {
		if questionWords[persian.Canonical(w)] {
			return true
		}
	}
	return false
}

// topicMarkers introduce what a question asks about: «وزیر دفاع عراق
// درباره روابط با آمریکا چه گفت».
var topicMarkers = [][]string{{"درباره"}, {"دربارهی"}, {"در", "مورد"}, {"در", "باره"}, {"راجع", "به"}, {"در", "خصوص"}, {"پیرامون"}}

// isTopicMarker returns the length of the topic marker at words[i], 0 for
// none.
func isTopicMarker(words []string, i int) int {
	for _, m := range topicMarkers {
		if i+len(m) > len(words) {
			continue
		}
		ok := true
		for j, w := range m {
			if persian.Canonical(words[i+j]) != w {
				ok = false
				break
			}
		}
		if ok {
			return len(m)
		}
	}
	return 0
}

// splitTopic splits a question at its first topic marker into the subject
// before it and the topic after it; ok is false when it has no marker or
// nothing before it.
func splitTopic(words []string) (subject, topic []string, ok bool) {
	for i := range words {
		if n := isTopicMarker(words, i); n > 0 {
			return words[:i], words[i+n:], i > 0
		}
	}
	return nil, nil, false
}

// onlyRefs reports whether words are nothing but words that refer back
// («او», «وی» …), or none.
func onlyRefs(words []string) bool {
	for _, w := range words {
		if !followUpRefs[persian.Canonical(w)] {
			return false
		}
	}
	return true
}

// dropOpener removes the «و», «اما» … that opens a follow-up.
func dropOpener(words []string) []string {
	for len(words) > 0 && followUpOpeners[persian.Canonical(words[0])] {
		words = words[1:]
	}
	return words
}

// maxCarriedWords bounds what a chain of follow-ups accumulates.
const maxCarriedWords = 30
