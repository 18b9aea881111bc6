package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/khabar/khabar/corpus/jsonfile"
)

// Store is what a [Poller] persists: the admin's changes to the feed list,
// every feed's [State], and every feed's articles (a .jsonl of records, as
// the Poller encodes them). [FileStore] keeps them in a folder (the
// default, DATA_DIR/feeds); pgstate.Feeds keeps them in PostgreSQL, row by
// row, so that several replicas share them.
type Store interface {
	// Registry returns the feeds an admin added, in the order they were
	// added, and the configured feeds an admin removed.
	Registry(ctx context.Context) (Registry, error)
	// Add records a feed an admin added, and forgets that it was removed
	// (a configured feed added back). One added already is [ErrDuplicate].
	Add(ctx context.Context, url, name string, at time.Time) error
	// RemoveAdded forgets an admin-added feed, with its state and
	// articles; it reports whether there was one.
	RemoveAdded(ctx context.Context, url string) (bool, error)
	// RemoveConfigured records that a configured feed is not followed,
	// forgetting its state and articles.
	RemoveConfigured(ctx context.Context, url string) error
	// States returns every stored state, by feed URL.
	States(ctx context.Context) (map[string]State, error)
	// SaveStates stores the given states (the Poller passes every
	// followed feed's).
	SaveStates(ctx context.Context, states map[string]State) error
	// Articles returns a feed's stored articles; nil for none.
	Articles(ctx context.Context, url string) ([]byte, error)
	// SaveArticles replaces a feed's stored articles.
	SaveArticles(ctx context.Context, url string, jsonl []byte) error
}

// Registry is the admin's changes to the feed list.
type Registry struct {
	Added   []AddedFeed
	Removed []string
}

// AddedFeed is a feed an admin added.
type AddedFeed struct {
	URL, Name string
	Added     time.Time
}

// FileStore is the [Store] of a folder: feeds.json (the registry),
// state.json (every feed's state) and one .jsonl file per feed (named by
// [FileName]), each written atomically. Its methods are safe for
// concurrent use; one process at a time writes the folder.
type FileStore struct {
	dir string
	log *slog.Logger

	mu     sync.Mutex
	reg    registryFile
	loaded bool
}

var _ Store = (*FileStore)(nil)

// NewFileStore returns the store of dir, which must exist; log (nil: none)
// receives the warnings of files it could not remove.
func NewFileStore(dir string, log *slog.Logger) *FileStore {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &FileStore{dir: dir, log: log}
}

// load reads feeds.json once. s.mu must be held.
func (s *FileStore) load() error {
	if s.loaded {
		return nil
	}
	var reg registryFile
	if err := jsonfile.ReadJSON(filepath.Join(s.dir, registryName), &reg); err != nil {
		return err
	}
	s.reg, s.loaded = reg, true
	return nil
}

// saveRegistry writes next as feeds.json and keeps it once written. s.mu
// must be held.
func (s *FileStore) saveRegistry(next registryFile) error {
	if next.Added == nil {
		next.Added = []addedFeed{}
	}
	if err := jsonfile.WriteJSON(filepath.Join(s.dir, registryName), next); err != nil {
		return err
	}
	s.reg = next
	return nil
}

// Registry returns feeds.json.
func (s *FileStore) Registry(ctx context.Context) (Registry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return Registry{}, err
	}
	reg := Registry{Removed: slices.Clone(s.reg.Removed)}
	for _, a := range s.reg.Added {
		reg.Added = append(reg.Added, AddedFeed{URL: a.URL, Name: a.Name, Added: a.Added})
	}
	return reg, nil
}

// Add records an added feed; a configured feed added back is only taken
// off the removed ones (FEEDS lists it).
func (s *FileStore) Add(ctx context.Context, url, name string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return err
	}
	next := registryFile{Added: slices.Clone(s.reg.Added), Removed: slices.Clone(s.reg.Removed)}
	if i := slices.Index(next.Removed, url); i >= 0 {
		next.Removed = slices.Delete(next.Removed, i, i+1)
	} else if slices.ContainsFunc(next.Added, func(a addedFeed) bool { return a.URL == url }) {
		return ErrDuplicate
	} else {
		next.Added = append(next.Added, addedFeed{URL: url, Name: name, Added: at})
	}
	return s.saveRegistry(next)
}

// RemoveAdded drops an added feed from feeds.json, its file and its state.
func (s *FileStore) RemoveAdded(ctx context.Context, url string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return false, err
	}
	i := slices.IndexFunc(s.reg.Added, func(a addedFeed) bool { return a.URL == url })
	if i >= 0 {
		next := registryFile{Added: slices.Delete(slices.Clone(s.reg.Added), i, i+1), Removed: s.reg.Removed}
		if err := s.saveRegistry(next); err != nil {
			return false, err
		}
	}
	s.forget(url)
	return i >= 0, nil
}

// RemoveConfigured records a removed configured feed in feeds.json and
// drops its file and its state.
func (s *FileStore) RemoveConfigured(ctx context.Context, url string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return err
	}
	if !slices.Contains(s.reg.Removed, url) {
		next := registryFile{Added: s.reg.Added, Removed: append(slices.Clone(s.reg.Removed), url)}
		if err := s.saveRegistry(next); err != nil {
			return err
		}
	}
	s.forget(url)
	return nil
}

// forget removes a feed's articles file and its state, logging what fails:
// the feed is not followed any more either way.
func (s *FileStore) forget(url string) {
	if err := os.Remove(filepath.Join(s.dir, FileName(url))); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Warn("feed: remove articles file", "feed", url, "err", err)
	}
	st := stateFile{Feeds: map[string]State{}}
	if err := jsonfile.ReadJSON(filepath.Join(s.dir, stateName), &st); err != nil {
		return // rewritten whole at the next save
	}
	if _, ok := st.Feeds[url]; !ok {
		return
	}
	delete(st.Feeds, url)
	if err := jsonfile.WriteJSON(filepath.Join(s.dir, stateName), st); err != nil {
		s.log.Warn("feed: save state", "err", err)
	}
}

// States reads state.json; a missing file is no state.
func (s *FileStore) States(ctx context.Context) (map[string]State, error) {
	st := stateFile{Feeds: map[string]State{}}
	if err := jsonfile.ReadJSON(filepath.Join(s.dir, stateName), &st); err != nil {
		return nil, err
	}
	if st.Feeds == nil {
		st.Feeds = map[string]State{}
	}
	return st.Feeds, nil
}

// SaveStates writes states as state.json, whole.
func (s *FileStore) SaveStates(ctx context.Context, states map[string]State) error {
	return jsonfile.WriteJSON(filepath.Join(s.dir, stateName), stateFile{Feeds: states})
}

// Articles reads the feed's .jsonl file; a missing one is none.
func (s *FileStore) Articles(ctx context.Context, url string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, FileName(url)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("feed articles: %w", err)
	}
	return data, nil
}

// SaveArticles writes the feed's .jsonl file.
func (s *FileStore) SaveArticles(ctx context.Context, url string, jsonl []byte) error {
	return jsonfile.WriteFile(filepath.Join(s.dir, FileName(url)), jsonl)
}
