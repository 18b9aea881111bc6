package answer

import (
	"container/list"
	"strings"
	"sync"
	"time"

	"github.com/khabar/khabar/persian"
)

// turn is one question and answer of a conversation.
type turn struct {
	question   string // as asked
	standalone string // as searched
	answer     string
	at         time.Time
}

// maxConversations bounds the memory: the least recently used
// conversation is forgotten first.
const maxConversations = 10000

// memory keeps the last few turns of each conversation for a while, so that
// follow-up questions can be understood. It is safe for concurrent use.
type memory struct {
	turns int
	ttl   time.Duration
	max   int
	now   func() time.Time

	mu    sync.Mutex
	lru   *list.List // of *conversation, most recent at the front
	byKey map[string]*list.Element
}

type conversation struct {
	key   string
	turns []turn
}

func newMemory(turns int, ttl time.Duration, now func() time.Time) *memory {
	return &memory{turns: turns, ttl: ttl, max: maxConversations, now: now, lru: list.New(), byKey: map[string]*list.Element{}}
}

// recent returns the conversation's turns that have not expired, oldest
// first.
func (m *memory) recent(key string) []turn {
	if m == nil || key == "" || m.turns == 0 {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.byKey[key]
	if !ok {
		return nil
	}
	c := el.Value.(*conversation)
	cutoff := m.now().Add(-m.ttl)
	live := c.turns[:0]
	for _, t := range c.turns {
		if m.ttl == 0 || t.at.After(cutoff) {
			live = append(live, t)
		}
	}
	c.turns = live
	if len(live) == 0 {
		m.lru.Remove(el)
		delete(m.byKey, key)
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
	el, ok := m.byKey[key]
	if !ok {
		el = m.lru.PushFront(&conversation{key: key})
		m.byKey[key] = el
	}
	m.lru.MoveToFront(el)
	c := el.Value.(*conversation)
	c.turns = append(c.turns, t)
	if len(c.turns) > m.turns {
		c.turns = append([]turn(nil), c.turns[len(c.turns)-m.turns:]...)
	}
	for m.lru.Len() > m.max {
		old := m.lru.Back()
		m.lru.Remove(old)
		delete(m.byKey, old.Value.(*conversation).key)
	}
}

// size is the number of conversations remembered.
func (m *memory) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

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
	return false
}

// carryOver makes a follow-up standalone without a model: it is searched
// together with the previous standalone question, whose key words then
// narrow the search («و درباره داعش چه گفت؟» after a question about Iraq's
// defence minister).
func carryOver(question string, prev turn) string {
	words := strings.Fields(prev.standalone)
	if len(words) > maxCarriedWords {
		words = words[len(words)-maxCarriedWords:]
	}
	return strings.TrimSpace(question + " " + strings.Join(words, " "))
}

// maxCarriedWords bounds what a chain of follow-ups accumulates.
const maxCarriedWords = 30
