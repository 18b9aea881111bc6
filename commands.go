package main

import (
	"bufio"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/bot"
	"github.com/khabar/khabar/corpus/channel"
	"github.com/khabar/khabar/internal/llm"
	"github.com/khabar/khabar/retrieval"
)

//go:embed seeds
var embeddedSeeds embed.FS

const usage = `usage: khabar <command> [arguments]

commands:
  ask [--now T] "question"
                   answer one question from the corpus and exit
  index            sync the index with the corpus and print the report
  chat [--now T]   a console chat: each line is a question
  summary [--now T] [text]
                   the news of the latest day, or of a period and/or topic
                   («دیروز», «۱۵ مهر», «از ۱ مهر تا ۱۰ مهر», 2025-10-05, «سیل»)
  serve            run the Telegram bot (needs TELEGRAM_BOT_TOKEN); the
                   default when no command is given and a token is set
  health           check a running serve's /healthz on OPS_LISTEN
  eval             measure retrieval and answers on an evaluation set:
                   eval --corpus FILE [--corpus FILE …] --questions FILE
                        [--absent FILE …] [--k 10] [--json] [--min metric=value …]
                   eval --reader DIR [--now T] [--json] [--min reader.overall=0.9 …]
                        (a reader set asked through the console chat:
                        testdata/reader/README.md)
  config           print the configuration (secrets redacted)

Configuration comes from the environment and an optional .env file;
see config.example.env.`

var errUsage = errors.New("bad usage")

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		// With a bot token, no command means serve.
		if cfg, err := loadConfig(getenv); err == nil && cfg.TelegramBotToken != "" {
			args = []string{"serve"}
		} else {
			fmt.Fprintln(stderr, usage)
			return fmt.Errorf("%w: no command", errUsage)
		}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	log := newLogger(cfg, stderr)
	switch cmd {
	case "ask":
		return cmdAsk(ctx, cfg, log, rest, stdout)
	case "index":
		return cmdIndex(ctx, cfg, log, stdout)
	case "chat":
		return cmdChat(ctx, cfg, log, rest, stdin, stdout)
	case "summary":
		return cmdSummary(ctx, cfg, log, rest, stdout)
	case "serve":
		return cmdServe(ctx, cfg, log)
	case "health":
		return cmdHealth(ctx, cfg, stdout)
	case "eval":
		return cmdEval(ctx, cfg, log, rest, stdout, stderr)
	case "config":
		fmt.Fprint(stdout, cfg)
		return nil
	default:
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(cfg.LogLevel)) // validated by Config.Validate
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// app is the wired program: the corpus, the index and the composer.
type app struct {
	cfg      Config
	log      *slog.Logger
	corpus   fs.FS
	index    *retrieval.Index
	composer *answer.Composer
	channels *channel.Store // channel posts; nil when off
}

func newApp(cfg Config, log *slog.Logger, progress func(done, total int)) (*app, error) {
	corpus, err := openCorpus(cfg, log)
	if err != nil {
		return nil, err
	}
	// Live sources: their folders in DATA_DIR join the corpus.
	channels := openChannels(cfg, log)
	corpus = withLiveDirs(corpus, cfg.DataDir, log, channelsDir)
	var client *llm.Client
	if cfg.LLM() {
		client = llm.New(llm.Config{APIKey: cfg.OpenAIAPIKey, BaseURL: cfg.OpenAIBaseURL, Timeout: cfg.OpenAITimeout, Retries: cfg.OpenAIRetries})
		log.Info("language model configured", "client", client.String(), "chat_model", cfg.OpenAIChatModel)
	}
	emb, identity := embedder(cfg, client)
	ix := retrieval.New(emb, identity, retrieval.Options{
		Dir:      cfg.DataDir,
		Chunk:    retrieval.ChunkOptions{TargetWords: cfg.ChunkWords, MaxWords: cfg.ChunkMaxWords, Overlap: cfg.ChunkOverlap},
		Load:     retrieval.LoadOptions{MaxArticleBytes: cfg.MaxArticleBytes},
		Progress: progress,
	})
	return &app{
		cfg:      cfg,
		log:      log,
		corpus:   corpus,
		index:    ix,
		composer: answer.New(ix, answerOptions(cfg, client, log)),
		channels: channels,
	}, nil
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
		MaxSentences: cfg.MaxAnswerLines,
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
	if err := a.index.Load(ctx); errors.Is(err, fs.ErrNotExist) || a.cfg.DataDir == "" {
		a.log.Info("building the index from the corpus", "reason", err)
	} else if err != nil {
		// A snapshot that is there but unusable (damaged, inconsistent,
		// another embedder) is worth an operator's look.
		a.log.Warn("snapshot rejected: building the index from the corpus", "reason", err)
	}
	rep, err := a.index.Sync(ctx, a.corpus)
	a.logReport(rep)
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
	return errors.Is(err, retrieval.ErrNoArticles) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission)
}

// reload syncs the index with the corpus folder again (for /reload and
// uploads): questions keep being answered from the old index until the new
// one is swapped in.
func (a *app) reload(ctx context.Context) (retrieval.Report, error) {
	rep, err := a.index.Sync(ctx, a.corpus)
	a.logReport(rep)
	return rep, err
}

func (a *app) logReport(rep retrieval.Report) {
	for _, p := range rep.Problems {
		a.log.Warn("corpus problem", "file", p.Path, "line", p.Line, "reason", p.Reason, "skipped", p.Skipped)
	}
	if rep.SnapshotErr != nil {
		a.log.Error("snapshot not saved; "+snapshotFallback(rep), "err", rep.SnapshotErr)
	}
	a.log.Info("index synced", "articles", rep.Articles, "chunks", rep.Chunks, "added", rep.Added,
		"updated", rep.Updated, "removed", rep.Removed, "unchanged", rep.Unchanged,
		"embedded", rep.Embedded, "took", rep.Duration.Round(time.Millisecond))
}

func cmdAsk(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("ask", flag.ContinueOnError)
	nowFlag(fl, &cfg)
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	question := strings.Join(fl.Args(), " ")
	a, err := newApp(cfg, log, nil)
	if err != nil {
		return err
	}
	if _, err := a.openServing(ctx); err != nil {
		return err
	}
	chat := bot.NewChat(a.composer, log, bot.ChatOptions{Summarizer: a.composer})
	reply := chat.Handle(ctx, bot.Message{Text: question})
	fmt.Fprintln(stdout, reply.Text)
	return nil
}

func cmdIndex(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	var bar *progressbar.ProgressBar
	var progress func(done, total int)
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		progress = func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("embedding"), progressbar.OptionClearOnFinish())
			}
			bar.Set(done)
		}
	}
	a, err := newApp(cfg, log, progress)
	if err != nil {
		return err
	}
	rep, err := a.open(ctx)
	if bar != nil {
		bar.Finish()
	}
	printReport(stdout, rep)
	if err == nil && rep.SnapshotErr != nil {
		// Saving the snapshot is what index is for.
		err = fmt.Errorf("index: snapshot not saved: %w", rep.SnapshotErr)
	}
	return err
}

// printReport writes a sync report for an operator.
func printReport(w io.Writer, rep retrieval.Report) {
	fmt.Fprintf(w, "articles %d, chunks %d: %d added, %d updated, %d removed, %d unchanged; %d embedded in %s\n",
		rep.Articles, rep.Chunks, rep.Added, rep.Updated, rep.Removed, rep.Unchanged, rep.Embedded, rep.Duration.Round(time.Millisecond))
	if rep.Rebuilt && rep.Embedded > 0 {
		fmt.Fprintln(w, "every vector was (re)computed: new index or new embedder")
	}
	for _, p := range rep.Problems {
		verb := "skipped"
		if !p.Skipped {
			verb = "repaired"
		}
		fmt.Fprintf(w, "%s: %s\n", verb, p)
	}
	if rep.SnapshotErr != nil {
		fmt.Fprintf(w, "snapshot not saved (%s): %v\n", snapshotFallback(rep), rep.SnapshotErr)
	}
}

// snapshotFallback says what a start finds when the snapshot was not saved.
func snapshotFallback(rep retrieval.Report) string {
	if rep.SnapshotKept {
		return "the previous one is kept, older than this index"
	}
	return "there is no previous one: the next start rebuilds from the corpus"
}

// nowFlag adds --now, which overrides NOW, to a command's flags.
func nowFlag(fl *flag.FlagSet, cfg *Config) {
	fl.TextVar(&cfg.Now, "now", cfg.Now, "the clock: RFC 3339 or YYYY-MM-DD (default NOW, else the wall clock)")
}

// consoleChat is the chat of `khabar chat`, which `khabar eval --reader`
// also drives: the console user is the operator, an admin without
// question limits.
func (a *app) consoleChat() *bot.Chat {
	return bot.NewChat(a.composer, a.log, bot.ChatOptions{
		Summarizer: a.composer,
		Reload:     a.reload,
		Stats:      a.index.Stats,
	})
}

// consoleMessage is a line typed in the console chat of conversation id.
func consoleMessage(id int64, text string) bot.Message {
	return bot.Message{ChatID: id, UserID: id, Text: text, Admin: true}
}

func cmdChat(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdin io.Reader, stdout io.Writer) error {
	fl := flag.NewFlagSet("chat", flag.ContinueOnError)
	nowFlag(fl, &cfg)
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	a, err := newApp(cfg, log, nil)
	if err != nil {
		return err
	}
	if _, err := a.openServing(ctx); err != nil {
		return err
	}
	chat := a.consoleChat()
	interactive := false
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		interactive = true
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	prompt := func() {
		if interactive {
			fmt.Fprint(stdout, "> ")
		}
	}
	prompt()
	for sc.Scan() {
		if ctx.Err() != nil {
			return nil
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			prompt()
			continue
		}
		reply := chat.Handle(ctx, consoleMessage(1, line))
		fmt.Fprintln(stdout, reply.Text)
		if reply.Then != nil {
			fmt.Fprintln(stdout, reply.Then(ctx).Text)
		}
		fmt.Fprintln(stdout)
		prompt()
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	return nil
}
