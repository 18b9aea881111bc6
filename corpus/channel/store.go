package channel

import (
	"cmp"
	"errors"
	"fmt"
	"github.com/khabar/khabar/corpus/jsonfile"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Outcome says what [Store.Put] did with a post.
type Outcome int

const (
	Ignored   Outcome = iota // the channel does not count (not in Options.Only)
	Skipped                  // too short to be an article; nothing stored
	Added                    // a new article
	Replaced                 // an edit replaced the article
	Removed                  // an edit made the post too short: its article is gone
	Unchanged                // the same text again, or an edit older than the one stored
)

func (o Outcome) String() string {
	switch o {
	case Ignored:
		return "ignored"
	case Skipped:
		return "skipped"
	case Added:
		return "added"
	case Replaced:
		return "replaced"
	case Removed:
		return "removed"
	case Unchanged:
		return "unchanged"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Result is what a change did: the post's outcome (for [Store.Put]), and
// whether the articles the loader reads changed, so that the index needs
// a sync.
type Result struct {
	Outcome       Outcome
	CorpusChanged bool
}

// Info describes a known channel, for /channels.
type Info struct {
	Chat
	Admin   bool      // the bot administers it, as far as the store knows
	Counted bool      // its posts are in the corpus
	Posts   int       // stored articles
	Last    time.Time // when the newest stored post was posted; zero when none
}

// Options tune a [Store].
type Options struct {
	// Only, when set, are the only channels whose posts count
	// (SOURCE_CHANNEL_IDS); otherwise every channel the bot administers.
	Only []int64
	// MinWords is the fewest words an article needs; default
	// DefaultMinWords.
	MinWords int
}

// record is one stored article, a line of a channel's .jsonl file: its
// first six fields are the corpus .jsonl article format
// ([corpus.Fields]), the others the store's own, which the corpus ignores.
type record struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Text   string `json:"text"`
	Source string `json:"source"`
	Date   string `json:"date"` // RFC 3339 in Tehran time: the loader keeps its Tehran calendar day
	URL    string `json:"url"`

	Channel   int64     `json:"channel"`
	Username  string    `json:"username,omitempty"`
	MessageID int       `json:"message_id"`
	Posted    time.Time `json:"posted"`
	Edited    time.Time `json:"edited,omitzero"`
}

// chanState is what the store knows of a channel besides its posts.
type chanState struct {
	ID       int64     `json:"id"`
	Title    string    `json:"title"`
	Username string    `json:"username,omitempty"`
	Admin    bool      `json:"admin"`
	Changed  time.Time `json:"changed"` // when Admin last changed
}

type stateFile struct {
	Channels []chanState `json:"channels"`
}

type entry struct {
	st    chanState
	posts map[int]*record // by message id
}

// Store keeps the articles of channel posts. It is safe for concurrent use.
type Store struct {
	dir  string
	opts Options
	only map[int64]bool
	now  func() time.Time

	mu    sync.Mutex
	chans map[int64]*entry
}

const (
	stateName      = "channels.json"
	inactiveSuffix = ".inactive"
)

// fileName is the .jsonl file of a channel: "channel-1001234567890.jsonl"
// for the channel -1001234567890.
func fileName(id int64) string { return "channel" + strconv.FormatInt(id, 10) + ".jsonl" }

// Open opens (creating it when missing) the store in dir and puts each
// channel's file where it belongs: read by the corpus loader when the
// channel counts, aside otherwise. Unreadable lines are skipped and
// returned as problems ("file:line: reason"); they do not stop the store.
func Open(dir string, opts Options) (*Store, []string, error) {
	if opts.MinWords <= 0 {
		opts.MinWords = DefaultMinWords
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("channel store: %w", err)
	}
	s := &Store{dir: dir, opts: opts, only: map[int64]bool{}, now: time.Now, chans: map[int64]*entry{}}
	for _, id := range opts.Only {
		s.only[id] = true
	}
	jsonfile.RemoveStaleTemps(dir)
	var sf stateFile
	_, statErr := os.Stat(filepath.Join(dir, stateName))
	dirty := statErr != nil // no state file yet: write one
	if err := jsonfile.ReadJSON(filepath.Join(dir, stateName), &sf); err != nil {
		return nil, nil, fmt.Errorf("channel store: %w", err)
	}
	for _, st := range sf.Channels {
		s.chans[st.ID] = &entry{st: st, posts: map[int]*record{}}
	}
	names, err := filepath.Glob(filepath.Join(dir, "channel*.jsonl*"))
	if err != nil {
		return nil, nil, fmt.Errorf("channel store: %w", err)
	}
	var problems []string
	for _, name := range names {
		base := filepath.Base(name)
		if !strings.HasSuffix(base, ".jsonl") && !strings.HasSuffix(base, ".jsonl"+inactiveSuffix) {
			continue
		}
		recs, probs, err := readRecords(name)
		problems = append(problems, probs...)
		if err != nil {
			problems = append(problems, base+": "+err.Error())
			continue
		}
		for _, r := range recs {
			e := s.chans[r.Channel]
			if e == nil { // the state file was lost: the posts prove it
				e = &entry{st: chanState{ID: r.Channel, Title: r.Source, Username: r.Username, Admin: true}, posts: map[int]*record{}}
				s.chans[r.Channel] = e
				dirty = true
			}
			if old := e.posts[r.MessageID]; old == nil || r.Edited.After(old.Edited) {
				e.posts[r.MessageID] = r
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.chans {
		if err := s.placeLocked(e); err != nil {
			return nil, problems, fmt.Errorf("channel store: %w", err)
		}
	}
	if dirty {
		if err := s.saveStateLocked(); err != nil {
			return nil, problems, fmt.Errorf("channel store: %w", err)
		}
	}
	return s, problems, nil
}

// Dir is the store's folder.
func (s *Store) Dir() string { return s.dir }

// countedLocked reports whether the posts of e belong in the corpus.
func (s *Store) countedLocked(e *entry) bool {
	return e.st.Admin && s.allowed(e.st.ID)
}

func (s *Store) allowed(id int64) bool { return len(s.only) == 0 || s.only[id] }

// placeLocked makes the files of e match its posts and whether it counts:
// the active file when it does, the inactive one when not, none without
// posts. It reports whether the active file changed (as far as it knows).
func (s *Store) placeLocked(e *entry) error {
	active := filepath.Join(s.dir, fileName(e.st.ID))
	inactive := active + inactiveSuffix
	want, other := inactive, active
	if s.countedLocked(e) {
		want, other = active, inactive
	}
	if len(e.posts) == 0 {
		return errors.Join(removeIfExists(active), removeIfExists(inactive))
	}
	if _, err := os.Stat(want); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(other); err == nil {
			if err := os.Rename(other, want); err != nil {
				return err
			}
			jsonfile.SyncDir(s.dir)
			return nil
		}
		return s.writeLocked(e)
	}
	return removeIfExists(other)
}

// writeLocked writes the posts of e to the file where they belong.
func (s *Store) writeLocked(e *entry) error {
	name := filepath.Join(s.dir, fileName(e.st.ID))
	if !s.countedLocked(e) {
		name += inactiveSuffix
	}
	if len(e.posts) == 0 {
		return removeIfExists(name)
	}
	recs := slices.SortedFunc(maps.Values(e.posts), func(a, b *record) int { return cmp.Compare(a.MessageID, b.MessageID) })
	data, err := jsonfile.EncodeLines(recs)
	if err != nil {
		return err
	}
	return jsonfile.WriteFile(name, data)
}

func (s *Store) saveStateLocked() error {
	var sf stateFile
	for _, e := range s.chans {
		sf.Channels = append(sf.Channels, e.st)
	}
	slices.SortFunc(sf.Channels, func(a, b chanState) int { return cmp.Compare(a.ID, b.ID) })
	return jsonfile.WriteJSON(filepath.Join(s.dir, stateName), sf)
}

// touchLocked returns the entry of c, creating it, with the title and
// username brought up to date (and the stored articles' outlet and links
// with them); it reports whether anything changed.
func (s *Store) touchLocked(c Chat) (e *entry, state, posts bool) {
	e = s.chans[c.ID]
	if e == nil {
		e = &entry{st: chanState{ID: c.ID, Title: c.Title, Username: c.Username}, posts: map[int]*record{}}
		s.chans[c.ID] = e
		return e, true, false
	}
	if c.Title == "" {
		c.Title = e.st.Title
	}
	if c.Title == e.st.Title && c.Username == e.st.Username {
		return e, false, false
	}
	e.st.Title, e.st.Username = c.Title, c.Username
	for id, r := range e.posts {
		nr := *r
		nr.Source, nr.Username, nr.URL = c.Title, c.Username, PostURL(c.Username, r.MessageID)
		e.posts[id] = &nr
	}
	return e, true, len(e.posts) > 0
}

// snapshot copies e, so that a failed write can be undone.
func (e *entry) snapshot() entry { return entry{st: e.st, posts: maps.Clone(e.posts)} }

// Put stores the article of a channel post, replaces it with an edit, or
// skips the post; a post also tells the store that the bot administers
// the channel. On error nothing changes.
func (s *Store) Put(p Post) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, existed := s.chans[p.Chat.ID]
	var before entry
	if existed {
		before = prev.snapshot()
	}
	wasCounted := existed && s.countedLocked(prev)
	e, stateChanged, postsChanged := s.touchLocked(p.Chat)
	undo := func() {
		if !existed {
			delete(s.chans, p.Chat.ID)
			return
		}
		*e = before
	}
	if !e.st.Admin {
		e.st.Admin, e.st.Changed = true, s.now().UTC()
		stateChanged = true
	}
	res := Result{Outcome: Unchanged}
	counted := s.countedLocked(e)
	if !counted {
		res.Outcome = Ignored
	} else {
		res.Outcome = s.applyLocked(e, p)
	}
	if res.Outcome == Added || res.Outcome == Replaced || res.Outcome == Removed {
		postsChanged = true
	}
	var err error
	switch {
	case counted != wasCounted:
		if postsChanged {
			err = s.writeLocked(e)
		}
		if err == nil {
			err = s.placeLocked(e)
		}
		res.CorpusChanged = len(e.posts) > 0
	case postsChanged:
		err = s.writeLocked(e)
		res.CorpusChanged = counted
	}
	if err == nil && stateChanged {
		err = s.saveStateLocked()
	}
	if err != nil {
		undo()
		return Result{}, fmt.Errorf("channel store: %w", err)
	}
	return res, nil
}

// applyLocked applies p to the posts of e.
func (s *Store) applyLocked(e *entry, p Post) Outcome {
	old := e.posts[p.MessageID]
	if old != nil && !p.EditDate.IsZero() && old.Edited.After(p.EditDate) {
		return Unchanged // an edit older than the one stored
	}
	text := CleanText(p.Text)
	if Words(text) < s.opts.MinWords {
		if old != nil {
			delete(e.posts, p.MessageID)
			return Removed
		}
		return Skipped
	}
	r := newRecord(p, text)
	r.Source, r.Username, r.URL = e.st.Title, e.st.Username, PostURL(e.st.Username, p.MessageID)
	if old != nil {
		if old.Text == r.Text && old.Date == r.Date {
			if r.Edited.After(old.Edited) {
				nr := *old
				nr.Edited = r.Edited
				e.posts[p.MessageID] = &nr
			}
			return Unchanged
		}
		e.posts[p.MessageID] = r
		return Replaced
	}
	e.posts[p.MessageID] = r
	return Added
}

// SetAdmin records whether the bot administers the channel c (from a
// my_chat_member update, or a check at start). Its posts leave the corpus
// when it stops, and come back when it starts again.
func (s *Store) SetAdmin(c Chat, admin bool) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, existed := s.chans[c.ID]
	if !existed && !admin {
		return Result{Outcome: Unchanged}, nil // never known: nothing to forget
	}
	var before entry
	if existed {
		before = prev.snapshot()
	}
	wasCounted := existed && s.countedLocked(prev)
	e, stateChanged, postsChanged := s.touchLocked(c)
	if e.st.Admin != admin {
		e.st.Admin, e.st.Changed = admin, s.now().UTC()
		stateChanged = true
	}
	counted := s.countedLocked(e)
	var err error
	res := Result{Outcome: Unchanged}
	if postsChanged {
		err = s.writeLocked(e)
		res.CorpusChanged = counted
	}
	if err == nil && counted != wasCounted {
		err = s.placeLocked(e)
		res.CorpusChanged = len(e.posts) > 0
	}
	if err == nil && stateChanged {
		err = s.saveStateLocked()
	}
	if err != nil {
		if existed {
			*e = before
		} else {
			delete(s.chans, c.ID)
		}
		return Result{}, fmt.Errorf("channel store: %w", err)
	}
	return res, nil
}

// Counted reports whether the posts of the channel id count.
func (s *Store) Counted(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.chans[id]; e != nil {
		return s.countedLocked(e)
	}
	return s.allowed(id) // a post would make it an administered channel
}

// Admins returns the channels the store believes the bot administers.
func (s *Store) Admins() []Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Chat
	for _, e := range s.chans {
		if e.st.Admin {
			out = append(out, Chat{ID: e.st.ID, Title: e.st.Title, Username: e.st.Username})
		}
	}
	slices.SortFunc(out, func(a, b Chat) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// List returns every known channel: those that count first, then by
// title.
func (s *Store) List() []Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Info, 0, len(s.chans))
	for _, e := range s.chans {
		in := Info{Chat: Chat{ID: e.st.ID, Title: e.st.Title, Username: e.st.Username},
			Admin: e.st.Admin, Counted: s.countedLocked(e), Posts: len(e.posts)}
		for _, r := range e.posts {
			if r.Posted.After(in.Last) {
				in.Last = r.Posted
			}
		}
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b Info) int {
		if a.Counted != b.Counted {
			if a.Counted {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.Title, b.Title), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// ---- files ----

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// readRecords reads a channel's file; a bad line is skipped and reported.
func readRecords(path string) ([]*record, []string, error) {
	recs, bad, err := jsonfile.ReadLines(path, func(r *record) bool { return r.ID != "" && r.Text != "" && r.MessageID != 0 })
	if err != nil {
		return nil, nil, err
	}
	base := filepath.Base(path)
	var probs []string
	for _, b := range bad {
		if b.Line == 0 {
			probs = append(probs, base+": "+b.Reason)
		} else {
			probs = append(probs, fmt.Sprintf("%s:%d: %s", base, b.Line, b.Reason))
		}
	}
	return recs, probs, nil
}
