// The wiring of khabar: the corpus and its sources, the index, the
// language model and the composer that every command shares.

package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/corpus/channel"
	"github.com/khabar/khabar/corpus/feed"
	"github.com/khabar/khabar/llm"
	"github.com/khabar/khabar/retrieval"
	"github.com/khabar/khabar/retrieval/weaviate"
)

//go:embed seeds
var embeddedSeeds embed.FS

// app is the wired program: the corpus, the index and the composer.
type app struct {
	cfg Config
	log *slog.Logger
	// corpus is every source of articles: SEEDS_DIR, the live sources,
	// the uploads (livecorpus.go).
	corpus corpus.Source
	// uploads is the folder of the articles admins sent (UPLOADS_DIR,
	// default DATA_DIR/uploads): part of the corpus, named uploads/… in it.
	uploads string
	// index is the serving index (newIndex): the in-process one or
	// Weaviate, seen through countedStore for the metrics.
	index *countedStore
	// local is the in-process index (its snapshot is loaded at open); nil
	// with INDEX_BACKEND=weaviate.
	local *retrieval.Index
	// remote is the Weaviate index; nil in-process.
	remote *weaviate.Store
	// indexWait bounds the wait for Weaviate at open: 0 waits until ctx
	// is done (serve), the commands wait indexStartWait.
	indexWait time.Duration
	// serialize, when set (serve with STATE_BACKEND=postgres), runs a sync
	// of a shared index under a lock held across the replicas.
	serialize func(ctx context.Context, sync func() error) error
	composer  *answer.Composer
	feeds     *feed.Poller   // the live news feeds, in serve (feeds.go); nil when off
	channels  *channel.Store // channel posts; nil when off
}

// newLLM is the one place the language model client is made: nil when no
// model is configured (the answers are then extractive).
func newLLM(cfg Config) *llm.Client {
	if !cfg.LLM() {
		return nil
	}
	return llm.New(llm.Config{APIKey: cfg.OpenAIAPIKey, BaseURL: cfg.OpenAIBaseURL, Timeout: cfg.OpenAITimeout, Retries: cfg.OpenAIRetries})
}

func newApp(cfg Config, log *slog.Logger, progress func(done, total int)) (*app, error) {
	seeds, err := openCorpus(cfg, log)
	if err != nil {
		return nil, err
	}
	// Live sources: their articles in DATA_DIR join the corpus.
	channels := openChannels(cfg, log)
	uploads := uploadsDir(cfg)
	client := newLLM(cfg)
	if client != nil {
		log.Info("language model configured", "base_url", llmBase(cfg), "key_set", cfg.OpenAIAPIKey != "", "chat_model", cfg.OpenAIChatModel)
	}
	emb, identity := embedder(cfg, client)
	ix, err := newIndex(cfg, emb, identity, log, progress)
	if err != nil {
		return nil, err
	}
	counted := &countedStore{Store: ix.store}
	return &app{
		cfg:       cfg,
		log:       log,
		corpus:    corpusSources(cfg, seeds, channels, uploads, log),
		uploads:   uploads,
		index:     counted,
		local:     ix.local,
		remote:    ix.remote,
		indexWait: indexStartWait,
		composer:  answer.New(counted, answerOptions(cfg, client, log)),
		channels:  channels,
	}, nil
}

// builtIndex is what newIndex returns: the store, and the one of local
// and remote it is (the other nil).
type builtIndex struct {
	store  retrieval.Store
	local  *retrieval.Index
	remote *weaviate.Store
}

// newIndex makes the index of INDEX_BACKEND: the in-process
// *retrieval.Index (the default; progress reports its embedding) or the
// Weaviate store at WEAVIATE_URL, its collections named from
// WEAVIATE_PREFIX. Neither is read yet (see open).
func newIndex(cfg Config, emb retrieval.Embedder, identity string, log *slog.Logger, progress func(done, total int)) (builtIndex, error) {
	if cfg.IndexBackend == backendWeaviate {
		st, err := openWeaviate(cfg, emb, identity, cfg.WeaviatePrefix, log)
		if err != nil {
			return builtIndex{}, err
		}
		return builtIndex{store: st, remote: st}, nil
	}
	ix := retrieval.New(emb, identity, retrieval.Options{
		Dir:      cfg.DataDir,
		Chunk:    retrieval.ChunkOptions{TargetWords: cfg.ChunkWords, MaxWords: cfg.ChunkMaxWords, Overlap: cfg.ChunkOverlap},
		Load:     corpus.LoadOptions{MaxArticleBytes: cfg.MaxArticleBytes},
		Progress: progress,
	})
	return builtIndex{store: ix, local: ix}, nil
}

// llmBase names the language model's server for the log, credentials
// hidden.
func llmBase(cfg Config) string {
	if cfg.OpenAIBaseURL == "" {
		return "OpenAI"
	}
	return redactURL(cfg.OpenAIBaseURL)
}

// embedder returns the configured embedder and its identity.
func embedder(cfg Config, client *llm.Client) (retrieval.Embedder, string) {
	if cfg.Embedder == "openai" && client != nil {
		e := retrieval.NewOpenAIEmbedder(client, cfg.OpenAIEmbeddingModel)
		return e, e.Identity()
	}
	e := retrieval.NewLocalEmbedder(cfg.LocalEmbedDim)
	return e, e.Identity()
}

func answerOptions(cfg Config, client *llm.Client, log *slog.Logger) answer.Options {
	opts := answer.Options{
		K:            cfg.TopK,
		MaxSentences: cfg.MaxAnswerSentences,
		Model:        cfg.OpenAIChatModel,
		Budget:       cfg.AnswerTimeout,
		MemoryTurns:  cfg.MemoryTurns,
		MemoryTTL:    cfg.MemoryTTL,
		Log:          log,
		Now:          cfg.Now.clock(),
	}
	if cfg.MemoryTurns == 0 {
		opts.MemoryTurns = -1
	}
	if client != nil {
		opts.LLM = client
	}
	return opts
}

// openCorpus returns SEEDS_DIR, or the seeds built into the binary when
// the default folder does not exist (a binary run outside the repository).
// A configured SEEDS_DIR that is missing (a volume not mounted) is opened
// all the same: the sync reports it, and a command that answers can still
// serve the snapshot (see openServing).
func openCorpus(cfg Config, log *slog.Logger) (fs.FS, error) {
	fi, err := os.Stat(cfg.SeedsDir)
	switch {
	case err == nil && fi.IsDir():
		return os.DirFS(cfg.SeedsDir), nil
	case err == nil:
		return nil, fmt.Errorf("SEEDS_DIR %s: not a directory", cfg.SeedsDir)
	case errors.Is(err, fs.ErrNotExist) && cfg.SeedsDir == "seeds":
		log.Info("seeds folder not found: using the seeds built into the binary")
		return fs.Sub(embeddedSeeds, "seeds")
	case errors.Is(err, fs.ErrNotExist):
		return os.DirFS(cfg.SeedsDir), nil
	default:
		return nil, fmt.Errorf("SEEDS_DIR %s: %w", cfg.SeedsDir, err)
	}
}

// open loads the snapshot (or says why not) and syncs the index with the
// corpus, embedding only what changed.
func (a *app) open(ctx context.Context) (retrieval.Report, error) {
	if a.local != nil {
		if err := a.local.Load(ctx); errors.Is(err, fs.ErrNotExist) || a.cfg.DataDir == "" {
			a.log.Info("building the index from the corpus", "reason", err)
		} else if err != nil {
			// A snapshot that is there but unusable (damaged, inconsistent,
			// another embedder) is worth an operator's look.
			a.log.Warn("snapshot rejected: building the index from the corpus", "reason", err)
		}
	}
	if a.remote != nil {
		if err := a.waitIndex(ctx); err != nil {
			return retrieval.Report{}, err
		}
	}
	rep, err := a.sync(ctx)
	a.logReport(rep, err)
	if err != nil {
		return rep, fmt.Errorf("index: %w", err)
	}
	return rep, nil
}

// openServing is open for the commands that answer (serve, ask, chat,
// summary). When the corpus is empty or cannot be read (SEEDS_DIR not
// mounted) but the snapshot loaded, they answer from the snapshot with a
// warning instead of failing, which in a container means a crash loop.
// Without a snapshot an empty corpus is still an error.
func (a *app) openServing(ctx context.Context) (retrieval.Report, error) {
	rep, err := a.open(ctx)
	if err != nil && corpusUnavailable(err) && a.index.Stats().Chunks > 0 {
		st := a.index.Stats()
		a.log.Warn("corpus unavailable: answering from the snapshot; check SEEDS_DIR",
			"seeds_dir", a.cfg.SeedsDir, "articles", st.Articles, "chunks", st.Chunks, "err", err)
		return rep, nil
	}
	return rep, err
}

// corpusUnavailable reports whether a sync failed because the corpus is
// empty, missing or unreadable, rather than in the index.
func corpusUnavailable(err error) bool {
	return errors.Is(err, corpus.ErrNoArticles) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission)
}

// reload syncs the index with the corpus folder again (for /reload and
// uploads): questions keep being answered from the old index until the new
// one is swapped in.
func (a *app) reload(ctx context.Context) (retrieval.Report, error) {
	rep, err := a.sync(ctx)
	a.logReport(rep, err)
	return rep, err
}

// uploadsDir is where uploads are saved and loaded from: UPLOADS_DIR, or
// DATA_DIR/uploads (a writable volume in the Docker image, where SEEDS_DIR
// is read-only); "" when neither is set.
func uploadsDir(cfg Config) string {
	switch {
	case cfg.UploadsDir != "":
		return cfg.UploadsDir
	case cfg.DataDir != "":
		return filepath.Join(cfg.DataDir, "uploads")
	}
	return ""
}

// sync makes the index hold the corpus: the articles of every source
// (corpusSources), read in turn and merged; files unchanged since the
// serving index was built are not read again (retrieval.Index.SyncSource).
func (a *app) sync(ctx context.Context) (retrieval.Report, error) {
	if a.local != nil {
		// The in-process index reads only the files that changed since
		// the serving snapshot was built (corpus.Fingerprinter).
		rep, err := a.local.SyncSource(ctx, a.corpus)
		a.index.count(ctx, "sync", err)
		return rep, err
	}
	start := time.Now()
	articles, problems, err := a.corpus.Articles(ctx)
	if err != nil {
		return retrieval.Report{Problems: problems, Duration: time.Since(start)}, err
	}
	var rep retrieval.Report
	run := func() error { rep, err = a.index.SyncArticles(ctx, articles); return err }
	if a.serialize != nil && a.remote != nil {
		err = a.serialize(ctx, run)
	} else {
		err = run()
	}
	rep.Problems = append(problems, rep.Problems...)
	rep.Duration = time.Since(start)
	return rep, err
}

// logReport logs a sync: its problems, and "index synced" only when it
// succeeded.
func (a *app) logReport(rep retrieval.Report, err error) {
	for _, p := range rep.Problems {
		a.log.Warn("corpus problem", "file", p.Path, "line", p.Line, "reason", p.Reason, "skipped", p.Skipped)
	}
	if rep.SnapshotErr != nil {
		a.log.Error("snapshot not saved; "+snapshotFallback(rep), "err", rep.SnapshotErr)
	}
	if err != nil {
		return // the caller reports it
	}
	a.log.Info("index synced", "articles", rep.Articles, "chunks", rep.Chunks, "added", rep.Added,
		"updated", rep.Updated, "removed", rep.Removed, "unchanged", rep.Unchanged,
		"embedded", rep.Embedded, "took", rep.Duration.Round(time.Millisecond))
}
