package main

import (
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/corpus/channel"
	"github.com/khabar/khabar/corpus/feed"
)

// Live sources keep their articles in folders of DATA_DIR; in the corpus
// their articles are named after the folder (channels/…, feeds/…), so
// that every command (serve, index, ask, /reload) syncs the same
// articles.
const channelsDir = "channels" // Telegram channel posts (corpus/channel)

// uploadsPrefix names the uploaded articles in the corpus.
const uploadsPrefix = "uploads"

// corpusSources is the corpus every command syncs, in order: the seeds
// (SEEDS_DIR); with DATA_DIR, the posts of the channels that count
// (channels, nil when off) and the stored articles of the feeds; then
// the uploads folder (uploads, "" when off), whose articles are named
// uploads/<name> so that they never collide with a seed, and one of which
// with a text already in the corpus (the same article sent again) is left
// out. Entries of SEEDS_DIR named like a live source's folder are left out
// (they were hidden by it before the sources were separate), and log says
// so.
func corpusSources(cfg Config, seeds fs.FS, channels *channel.Store, uploads string, log *slog.Logger) *corpus.Multi {
	opts := corpus.LoadOptions{MaxArticleBytes: cfg.MaxArticleBytes, Now: cfg.Now.clock()}
	seedsFolder := &corpus.Folder{FS: seeds, Options: opts}
	m := &corpus.Multi{Sources: []corpus.Source{seedsFolder}}
	if cfg.DataDir != "" {
		seedsFolder.Hide = []string{channelsDir, feedsDirName}
		for _, d := range seedsFolder.Hide {
			if _, err := fs.Stat(seeds, d); err == nil {
				log.Warn("SEEDS_DIR has an entry named like a live source's folder: it is hidden from the corpus; rename it", "name", d)
			}
		}
		if channels != nil {
			m.Sources = append(m.Sources, channels.Source(channelsDir, opts))
		}
		m.Sources = append(m.Sources, feed.NewSource(filepath.Join(cfg.DataDir, feedsDirName), feedsDirName, opts))
	}
	if uploads != "" {
		m.Additions = append(m.Additions, &corpus.Folder{FS: os.DirFS(uploads), Options: opts,
			Prefix: uploadsPrefix, Optional: true, Name: "uploads " + uploads})
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
