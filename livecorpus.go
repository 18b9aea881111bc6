package main

import (
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/khabar/khabar/corpus/channel"
)

// Live sources keep their articles as .jsonl files in folders of
// DATA_DIR; each folder joins the corpus (SEEDS_DIR) under its own name,
// so that every command (serve, index, ask, /reload) syncs the same
// articles and the loader reads them like any seed .jsonl file.
const channelsDir = "channels" // Telegram channel posts (corpus/channel)

// withLiveDirs returns the corpus seeds with each of the folders dirs of
// dataDir (those that exist) mounted at its name; an entry of seeds of
// that name is hidden, and log says so. Without DATA_DIR it is seeds
// alone.
func withLiveDirs(seeds fs.FS, dataDir string, log *slog.Logger, dirs ...string) fs.FS {
	if dataDir == "" {
		return seeds
	}
	m := mountFS{base: seeds, mounts: map[string]fs.FS{}}
	for _, d := range dirs {
		m.mounts[d] = os.DirFS(filepath.Join(dataDir, d))
		if _, err := fs.Stat(seeds, d); err == nil {
			log.Warn("SEEDS_DIR has an entry named like a live source's folder: it is hidden from the corpus; rename it", "name", d)
		}
	}
	return m
}

// openChannels opens the store of channel posts in DATA_DIR/channels, or
// returns nil (channel posts are then ignored) without DATA_DIR or when
// it cannot be opened; the reason is logged.
func openChannels(cfg Config, log *slog.Logger) *channel.Store {
	if cfg.DataDir == "" {
		log.Info("channel posts are off: DATA_DIR is not set")
		return nil
	}
	s, problems, err := channel.Open(filepath.Join(cfg.DataDir, channelsDir), channel.Options{Only: cfg.SourceChannelIDs})
	for _, p := range problems {
		log.Warn("channel store problem", "problem", p)
	}
	if err != nil {
		log.Error("channel posts are off: the store cannot be opened", "err", err)
		return nil
	}
	return s
}

// mountFS is base with other file systems mounted at top-level names
// (shadowing any entry of base of the same name). It implements what the
// corpus loader uses: Open, ReadDir, Stat, and ReadLink and Lstat where
// the file system underneath does.
type mountFS struct {
	base   fs.FS
	mounts map[string]fs.FS
}

var (
	_ fs.ReadDirFS  = mountFS{}
	_ fs.StatFS     = mountFS{}
	_ fs.ReadLinkFS = mountFS{}
)

// resolve returns the file system and the name within it of name.
func (m mountFS) resolve(op, name string) (fs.FS, string, error) {
	if !fs.ValidPath(name) {
		return nil, "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	top, rest, _ := strings.Cut(name, "/")
	if sub, ok := m.mounts[top]; ok {
		if rest == "" {
			rest = "."
		}
		return sub, rest, nil
	}
	return m.base, name, nil
}

func (m mountFS) Open(name string) (fs.File, error) {
	fsys, n, err := m.resolve("open", name)
	if err != nil {
		return nil, err
	}
	return fsys.Open(n)
}

func (m mountFS) Stat(name string) (fs.FileInfo, error) {
	fsys, n, err := m.resolve("stat", name)
	if err != nil {
		return nil, err
	}
	info, err := fs.Stat(fsys, n)
	if err == nil && n == "." && name != "." {
		info = namedInfo{info, name}
	}
	return info, err
}

func (m mountFS) ReadDir(name string) ([]fs.DirEntry, error) {
	fsys, n, err := m.resolve("readdir", name)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, n)
	if err != nil || name != "." {
		return entries, err
	}
	entries = slices.DeleteFunc(entries, func(e fs.DirEntry) bool { _, ok := m.mounts[e.Name()]; return ok })
	for top, sub := range m.mounts {
		if info, err := fs.Stat(sub, "."); err == nil && info.IsDir() {
			entries = append(entries, fs.FileInfoToDirEntry(namedInfo{info, top}))
		}
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

func (m mountFS) ReadLink(name string) (string, error) {
	fsys, n, err := m.resolve("readlink", name)
	if err != nil {
		return "", err
	}
	return fs.ReadLink(fsys, n)
}

func (m mountFS) Lstat(name string) (fs.FileInfo, error) {
	fsys, n, err := m.resolve("lstat", name)
	if err != nil {
		return nil, err
	}
	info, err := fs.Lstat(fsys, n)
	if err == nil && n == "." && name != "." {
		info = namedInfo{info, name}
	}
	return info, err
}

// namedInfo is a mounted folder's info under its mount name.
type namedInfo struct {
	fs.FileInfo
	name string
}

func (i namedInfo) Name() string { return i.name }
