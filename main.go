// Command khabar answers questions about the news in Persian, with cited
// sources, on Telegram and on the command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // Asia/Tehran in minimal images without a zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "khabar:", err)
		os.Exit(exitCode(err))
	}
}

// exitCode is 2 for a command line khabar does not understand (as the
// flag package does), 1 for any other failure.
func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// run is the whole program: it reads the configuration through getenv,
// builds the parts and runs the command named by args.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return dispatch(ctx, args, getenv, stdin, stdout, stderr)
}

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
