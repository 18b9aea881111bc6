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
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/bot"
	"github.com/khabar/khabar/corpus/channel"
	"github.com/khabar/khabar/corpus/feed"
	"github.com/khabar/khabar/llm"
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
  feeds            fetch every news feed once, print what was added, sync the
                   index (FEEDS, /feeds add; see "khabar feeds -h")
  health           check a running serve's /healthz on OPS_LISTEN
  eval             measure retrieval and answers on an evaluation set:
                   eval --corpus FILE [--corpus FILE …] --questions FILE
                        [--absent FILE …] [--k 10] [--json] [--min metric=value …]
                   eval --reader DIR [--now T] [--json] [--min reader.overall=0.9 …]
                        (a reader set asked through the console chat:
                        testdata/reader/README.md)
  config           print the configuration (secrets redacted)
  version          print the version and the source revision

"khabar <command> -h" describes one command. Configuration comes from the
environment and an optional .env file; see config.example.env.`

var errUsage = errors.New("bad usage")

// command is one subcommand of the CLI.
type command struct {
	synopsis string // after "usage: khabar "
	help     string
	// args says what may follow the flags: "none", "some" (at least one)
	// or "any"; eval parses its own (see parseEval).
	args string
	// clock gives the command the --now flag.
	clock bool
}

var commands = map[string]command{
	"ask":     {synopsis: `ask "question"`, help: "Answers one question from the corpus (SEEDS_DIR and the uploads) and exits.", args: "some", clock: true},
	"index":   {synopsis: "index", help: "Syncs the index in DATA_DIR with the corpus, embedding only what changed, and prints the report.", args: "none"},
	"chat":    {synopsis: "chat", help: "A console chat on stdin/stdout: each line is a question or a command (/summary, /sources, /reload, /stats); you are an admin.", args: "none", clock: true},
	"summary": {synopsis: "summary [text]", help: "Prints the news of the latest day, or of the period and/or topic the text names\n(«دیروز», «۱۵ مهر», «از ۱ مهر تا ۱۰ مهر», 2025-10-05, «سیل»).", args: "any", clock: true},
	"serve":   {synopsis: "serve", help: "Runs the Telegram bot (needs TELEGRAM_BOT_TOKEN) until SIGINT or SIGTERM: long polling, or\na webhook with WEBHOOK_URL; daily digests; /healthz, /readyz and /metrics on OPS_LISTEN.", args: "none"},
	"health":  {synopsis: "health", help: "Checks a running serve on OPS_LISTEN (the container health check): exits 0 when it is\nhealthy, 1 when it does not answer or reports that Telegram refused the token.", args: "none"},
	"eval":    {synopsis: "eval --corpus FILE [--corpus FILE …] --questions FILE [flags]  |  eval --reader DIR [--now T] [flags]", help: "Measures retrieval and answers on an evaluation set (the formats are in docs/)."},
	"feeds":   {synopsis: "feeds", help: "Fetches every news feed (FEEDS and those admins added) once, prints what each added, syncs the\nindex and exits; non-zero when every feed failed.", args: "none"},
	"config":  {synopsis: "config", help: "Prints the configuration, one VARIABLE=value a line, with secrets and URL credentials hidden.", args: "none"},
	"version": {synopsis: "version", help: "Prints khabar's module version, source revision and Go version.", args: "none"},
}

// errHelp is returned by [parseArgs] when the usage was asked for and
// printed: the command is done, successfully.
var errHelp = errors.New("help shown")

// parseArgs parses args with fl. -h or --help prints the usage to stdout
// and returns errHelp; a bad flag prints the error and the usage to
// stderr and returns an error wrapping errUsage.
func parseArgs(fl *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	usage := fl.Usage
	fl.SetOutput(io.Discard) // the flag package's own messages
	fl.Usage = func() {}
	err := fl.Parse(args)
	fl.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fl.SetOutput(stdout)
		fl.Usage()
		return errHelp
	case err != nil:
		fmt.Fprintln(stderr, err)
		fl.SetOutput(stderr)
		fl.Usage()
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	fl.SetOutput(stderr)
	return nil
}

// newFlags returns the flag set of a command, whose usage is its synopsis,
// its help and its flags.
func newFlags(name string, c command) *flag.FlagSet {
	fl := flag.NewFlagSet("khabar "+name, flag.ContinueOnError)
	fl.Usage = func() {
		w := fl.Output()
		fmt.Fprintf(w, "usage: khabar %s\n\n%s\n", c.synopsis, c.help)
		n := 0
		fl.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nflags:")
			fl.PrintDefaults()
		}
		fmt.Fprintln(w, "\nConfiguration comes from the environment and an optional .env file; see config.example.env.")
	}
	return fl
}

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
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 1 {
			if c, ok := commands[rest[0]]; ok {
				fl := newFlags(rest[0], c)
				fl.SetOutput(stdout)
				fl.Usage()
				return nil
			}
		}
		fmt.Fprintln(stdout, usage)
		return nil
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("%w: unknown command %q", errUsage, name)
	}
	var ea evalArgs
	var now clockSetting // --now, on the commands that answer questions
	if name == "eval" {
		var err error
		if ea, err = parseEval(rest, stdout, stderr); err != nil {
			if errors.Is(err, errHelp) {
				return nil
			}
			return err
		}
		now = ea.now
	} else {
		fl := newFlags(name, c)
		if c.clock {
			nowFlag(fl, &now)
		}
		if err := parseArgs(fl, rest, stdout, stderr); err != nil {
			if errors.Is(err, errHelp) {
				return nil
			}
			return err
		}
		rest = fl.Args()
		switch {
		case c.args == "none" && len(rest) > 0:
			fl.Usage()
			return fmt.Errorf("%w: %s takes no arguments, got %q", errUsage, name, rest[0])
		case c.args == "some" && strings.TrimSpace(strings.Join(rest, "")) == "":
			fl.Usage()
			return fmt.Errorf("%w: %s needs %s", errUsage, name, strings.TrimPrefix(c.synopsis, name+" "))
		}
	}
	if name == "version" {
		fmt.Fprintln(stdout, versionText())
		return nil
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if !now.t.IsZero() {
		cfg.Now = now
	}
	log := newLogger(cfg, stderr)
	// Whatever a command returns is printed by main: take the credentials
	// out of it (a library's error may quote a URL).
	return newScrubber(cfg).error(runCommand(ctx, name, cfg, log, rest, ea, stdin, stdout, stderr))
}

// runCommand runs the command name with its arguments (flags parsed).
func runCommand(ctx context.Context, name string, cfg Config, log *slog.Logger, args []string, ea evalArgs, stdin io.Reader, stdout, stderr io.Writer) error {
	switch name {
	case "ask":
		return cmdAsk(ctx, cfg, log, args, stdout)
	case "index":
		return cmdIndex(ctx, cfg, log, stdout)
	case "chat":
		return cmdChat(ctx, cfg, log, stdin, stdout)
	case "summary":
		return cmdSummary(ctx, cfg, log, args, stdout)
	case "serve":
		return cmdServe(ctx, cfg, log)
	case "feeds":
		return cmdFeeds(ctx, cfg, log, args, stdout)
	case "health":
		return cmdHealth(ctx, cfg, stdout)
	case "eval":
		return cmdEval(ctx, cfg, log, ea, stdout, stderr)
	case "config":
		fmt.Fprint(stdout, cfg)
		return nil
	}
	return fmt.Errorf("%w: unknown command %q", errUsage, name)
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(cfg.LogLevel)) // validated by Config.Validate
	opts := &slog.HandlerOptions{Level: lvl, ReplaceAttr: newScrubber(cfg).attr}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// app is the wired program: the corpus, the index and the composer.
type app struct {
	cfg    Config
	log    *slog.Logger
	corpus fs.FS
	// uploads is the folder of the articles admins sent (UPLOADS_DIR,
	// default DATA_DIR/uploads): part of the corpus, named uploads/… in it.
	uploads  string
	index    *retrieval.Index
	composer *answer.Composer
	feeds    *feed.Poller   // the live news feeds, in serve (feeds.go); nil when off
	channels *channel.Store // channel posts; nil when off
}

func newApp(cfg Config, log *slog.Logger, progress func(done, total int)) (*app, error) {
	if cfg.IndexBackend == backendWeaviate {
		// The app holds a *retrieval.Index until the index seam
		// (retrieval.Store) lands; only eval takes the Weaviate backend.
		return nil, fmt.Errorf("%w: INDEX_BACKEND=weaviate is not wired into this command yet (khabar eval --backend weaviate is)", ErrInvalid)
	}
	corpus, err := openCorpus(cfg, log)
	if err != nil {
		return nil, err
	}
	// Live sources: their folders in DATA_DIR join the corpus.
	channels := openChannels(cfg, log)
	corpus = withLiveDirs(corpus, cfg.DataDir, log, channelsDir, feedsDirName)
	var client *llm.Client
	if cfg.LLM() {
		client = llm.New(llm.Config{APIKey: cfg.OpenAIAPIKey, BaseURL: cfg.OpenAIBaseURL, Timeout: cfg.OpenAITimeout, Retries: cfg.OpenAIRetries})
		log.Info("language model configured", "base_url", llmBase(cfg), "key_set", cfg.OpenAIAPIKey != "", "chat_model", cfg.OpenAIChatModel)
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
		uploads:  uploadsDir(cfg),
		index:    ix,
		composer: answer.New(ix, answerOptions(cfg, client, log)),
		channels: channels,
	}, nil
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
	return errors.Is(err, retrieval.ErrNoArticles) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission)
}

// reload syncs the index with the corpus folder again (for /reload and
// uploads): questions keep being answered from the old index until the new
// one is swapped in.
func (a *app) reload(ctx context.Context) (retrieval.Report, error) {
	rep, err := a.sync(ctx)
	a.logReport(rep, err)
	return rep, err
}

// uploadsPrefix names the uploaded articles in the corpus.
const uploadsPrefix = "uploads/"

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

// sync makes the index hold the corpus: the articles of SEEDS_DIR and of
// the uploads folder, loaded separately and merged. An uploaded article is
// named uploads/<its name>, so that it never collides with a seed of the
// same name; one whose text a seed already has (the same article sent
// again) is left out instead of being indexed twice.
func (a *app) sync(ctx context.Context) (retrieval.Report, error) {
	start := time.Now()
	opts := retrieval.LoadOptions{MaxArticleBytes: a.cfg.MaxArticleBytes, Now: a.cfg.Now.clock()}
	seeds, seedsErr := retrieval.Load(ctx, a.corpus, opts)
	if seedsErr != nil && !errors.Is(seedsErr, retrieval.ErrNoArticles) {
		return retrieval.Report{Problems: seeds.Problems, Duration: time.Since(start)}, seedsErr
	}
	articles, problems := seeds.Articles, seeds.Problems
	up, err := a.loadUploads(ctx, opts)
	if err != nil {
		return retrieval.Report{Problems: problems, Duration: time.Since(start)}, err
	}
	ids := make(map[string]bool, len(articles))
	texts := make(map[string]bool, len(articles))
	for _, art := range articles {
		ids[art.ID], texts[art.Text] = true, true
	}
	for _, p := range up.Problems {
		p.Path = uploadsPrefix + p.Path
		problems = append(problems, p)
	}
	for _, art := range up.Articles {
		art.ID, art.Path = uploadsPrefix+art.ID, uploadsPrefix+art.Path
		switch {
		case texts[art.Text]:
			a.log.Debug("uploaded article already in the corpus", "file", art.Path, "id", art.ID)
			continue
		case ids[art.ID]:
			problems = append(problems, retrieval.Problem{Path: art.Path, Line: art.Line, Reason: fmt.Sprintf("duplicate id %q (also in SEEDS_DIR)", art.ID), Skipped: true})
			continue
		}
		ids[art.ID], texts[art.Text] = true, true
		articles = append(articles, art)
	}
	if len(articles) == 0 {
		if seedsErr == nil {
			seedsErr = fmt.Errorf("load corpus: %w", retrieval.ErrNoArticles)
		}
		return retrieval.Report{Problems: problems, Duration: time.Since(start)}, seedsErr
	}
	rep, err := a.index.SyncArticles(ctx, articles)
	rep.Problems = append(problems, rep.Problems...)
	rep.Duration = time.Since(start)
	return rep, err
}

// loadUploads loads the uploads folder; a folder that does not exist yet
// (no upload so far) or holds no article is an empty corpus.
func (a *app) loadUploads(ctx context.Context, opts retrieval.LoadOptions) (retrieval.Corpus, error) {
	if a.uploads == "" {
		return retrieval.Corpus{}, nil
	}
	if _, err := os.Stat(a.uploads); errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		// Nothing uploaded yet (or DATA_DIR is unusable, which the
		// snapshot's save reports).
		return retrieval.Corpus{}, nil
	}
	c, err := retrieval.Load(ctx, os.DirFS(a.uploads), opts)
	if err != nil && !errors.Is(err, retrieval.ErrNoArticles) {
		return c, fmt.Errorf("uploads %s: %w", a.uploads, err)
	}
	return c, nil
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

func cmdAsk(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	question := strings.Join(args, " ")
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
func nowFlag(fl *flag.FlagSet, now *clockSetting) {
	fl.TextVar(now, "now", clockSetting{}, "the clock: RFC 3339 or YYYY-MM-DD (default NOW, else the wall clock)")
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

func cmdChat(ctx context.Context, cfg Config, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
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
