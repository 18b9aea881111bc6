package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/internal/idlemap"
	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// answerer answers one question; *answer.Composer is one.
type answerer interface {
	Answer(ctx context.Context, req answer.Request) (answer.Answer, error)
}

// summarizer summarises the news of a period; *answer.Composer is one.
type summarizer interface {
	Summarize(ctx context.Context, req answer.SummaryRequest) (answer.Summary, error)
}

// Message is an incoming chat message, whatever the transport, already
// known to be meant for the bot.
type Message struct {
	ChatID int64
	// Thread is the forum topic the message was posted in, 0 for none.
	Thread int
	// UserID is the sender: a user, or the chat a message was sent as (an
	// anonymous group admin's group, a channel), whose questions are
	// limited alike.
	UserID int64
	// Text is the message: a command ("/sources", "/ask question") or a
	// question.
	Text string
	// Admin reports that the transport checked the sender's numeric id
	// against the admins.
	Admin bool
	// Private reports that the message was sent in a private chat with
	// the bot (where /feeds works).
	Private bool
	// ChatAdmin, when set, reports whether the sender administers the chat
	// (a group's creator or administrator; the user of a private chat). It
	// is asked only when a command changes the chat's settings (/digest);
	// nil means no.
	ChatAdmin func(ctx context.Context) (bool, error)
	// Busy, when set, is called once before slow work (an answer, a
	// summary) starts, for a "typing…" indicator.
	Busy func()
	// Stream, when set, receives the growing text of an answer that is
	// generated piece by piece (see [answer.Request]).
	Stream func(text string)
}

// Reply is what the chat says back, rendered for a console and for
// Telegram. A zero Reply says nothing.
type Reply struct {
	// Text is the reply as plain text.
	Text string
	// HTML is the reply in Telegram's HTML parse mode, every dynamic
	// string escaped.
	HTML string
	// Answer is set when the reply answers a question.
	Answer *answer.Answer
	// Then, when set, is slow work started by the reply (a reload): the
	// transport shows the reply at once, runs Then in the background and
	// replaces the reply with Then's.
	Then func(ctx context.Context) Reply

	// outcome is how a question went, for metrics: the answer's mode,
	// "error" or "refused"; "" for anything but a question.
	outcome string
}

// IsZero reports whether r says nothing.
func (r Reply) IsZero() bool { return r.Text == "" && r.HTML == "" }

// textReply is a reply of plain text.
func textReply(s string) Reply { return Reply{Text: s, HTML: escape(s)} }

// ChatOptions tune a [Chat]. Zero values disable what they configure.
type ChatOptions struct {
	// Summarizer answers /summary; nil makes /summary say it is
	// unavailable.
	Summarizer summarizer
	// Reload syncs the index with the corpus, for /reload and after an
	// upload; nil disables both.
	Reload func(ctx context.Context) (retrieval.Report, error)
	// Stats describes the serving index, for /stats.
	Stats func() retrieval.Stats
	// Digests keeps the daily digest subscriptions that /digest shows and
	// changes; nil makes /digest say digests are unavailable.
	Digests digests
	// Feeds is the live news feeds that /feeds lists and changes; nil
	// makes /feeds say feeds are unavailable.
	Feeds feeds
	// UploadsDir is the folder where uploaded articles are saved (a
	// writable volume, such as DATA_DIR/uploads, which the corpus loads
	// beside SEEDS_DIR); "" falls back to SeedsDir.
	UploadsDir string
	// SeedsDir, when UploadsDir is "", saves uploads in its uploads/
	// subfolder; both "" disables uploads.
	SeedsDir string
	// MaxUploadBytes caps an uploaded file; default 10 MiB.
	MaxUploadBytes int64
	// MaxArticleBytes caps one article of an upload, as the corpus loader
	// does; default 1 MiB.
	MaxArticleBytes int64
	// MaxQuestionChars caps a question, in characters; 0 means no limit.
	MaxQuestionChars int
	// QuestionsPerMinute and QuestionBurst limit the messages of each
	// sender that get a reply — questions, commands, stickers, anything —
	// (admins are exempt); 0 means no limit.
	QuestionsPerMinute float64
	QuestionBurst      int
	// Channels lists the channels whose posts are articles, for
	// /channels; nil makes /channels say they are off.
	Channels channelLister
}

// Chat is the chat behaviour shared by every transport: commands,
// questions, the per-chat memory behind /sources, per-user question
// limits, admin commands and uploads. It is safe for concurrent use.
type Chat struct {
	answer answerer
	opts   ChatOptions
	log    *slog.Logger
	start  time.Time
	reload *reloader

	last  *idlemap.Map[int64, answer.Answer] // the last answer of each chat
	users *idlemap.Map[int64, *userLimit]

	answered, notFound, limited, failed atomic.Int64
	sends                               func() (sent, floodWaits int64) // set by the Telegram transport
}

// userLimit is one user's question budget.
type userLimit struct {
	lim    *rate.Limiter
	warned atomic.Int64 // unix nanoseconds of the last "slow down" reply
}

// Bounds of the per-chat and per-user maps.
const (
	stateTTL      = 30 * time.Minute
	maxStateItems = 20000
	lastAnswerTTL = 24 * time.Hour
)

// NewChat returns a chat that answers with a.
func NewChat(a answerer, log *slog.Logger, opts ChatOptions) *Chat {
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = 10 << 20
	}
	if opts.MaxArticleBytes <= 0 {
		opts.MaxArticleBytes = 1 << 20
	}
	c := &Chat{
		answer: a,
		opts:   opts,
		log:    log,
		start:  time.Now(),
		last:   idlemap.New[int64, answer.Answer](lastAnswerTTL, maxStateItems),
		users:  idlemap.New[int64, *userLimit](stateTTL, maxStateItems),
	}
	if opts.Reload != nil {
		c.reload = &reloader{sync: opts.Reload}
	}
	return c
}

// Handle returns the reply to m. Every reply, not only answers, spends
// one of the sender's questions (see [ChatOptions.QuestionsPerMinute]).
func (c *Chat) Handle(ctx context.Context, m Message) Reply {
	text := strings.TrimSpace(strings.ToValidUTF8(m.Text, ""))
	cmd, args, isCommand := parseCommand(text)
	if r, ok := c.allow(m); !ok {
		if !isCommand || cmd == "ask" { // a question refused
			r.outcome = "refused"
		}
		return r
	}
	if isCommand {
		switch cmd {
		case "start":
			return textReply(msgWelcome)
		case "help":
			if m.Admin {
				if c.opts.Channels != nil {
					return textReply(msgHelp + msgHelpAdmin + msgHelpAdminChannels)
				}
				return textReply(msgHelp + msgHelpAdmin)
			}
			return textReply(msgHelp)
		case "ask":
			if args == "" {
				return textReply(msgAskUsage)
			}
			return c.ask(ctx, m, args)
		case "sources":
			return c.sources(m.ChatID)
		case "summary":
			return c.summary(ctx, m, args)
		case "digest":
			return c.digestCommand(ctx, m, args)
		case "stats":
			if !m.Admin {
				return textReply(msgAdminOnly)
			}
			return c.stats()
		case "feeds":
			return c.feedsCommand(ctx, m, args)
		case "reload":
			if !m.Admin {
				return textReply(msgAdminOnly)
			}
			return c.reloadReply()
		case "channels":
			return c.channelsCommand(m)
		default:
			return textReply(msgUnknownCommand)
		}
	}
	return c.ask(ctx, m, text)
}

// knownCommand reports whether the chat has a command of that name.
func knownCommand(cmd string) bool {
	switch cmd {
	case "start", "help", "ask", "sources", "summary", "digest", "stats", "reload", "feeds", "channels":
		return true
	}
	return false
}

func (c *Chat) ask(ctx context.Context, m Message, question string) Reply {
	if strings.TrimSpace(question) == "" {
		return textReply(answer.MsgEmptyQuestion)
	}
	if max := c.opts.MaxQuestionChars; max > 0 && utf8.RuneCountInString(question) > max {
		r := textReply(fmt.Sprintf(msgTooLong, persian.Itoa(max)))
		r.outcome = "refused"
		return r
	}
	switch route := answer.RouteMessage(question); route.Intent {
	case answer.IntentReply:
		return textReply(route.Reply)
	case answer.IntentSummary:
		if c.opts.Summarizer != nil {
			return c.summary(ctx, m, route.Text)
		}
	default:
		question = route.Text
	}
	if m.Busy != nil {
		m.Busy()
	}
	a, err := c.answer.Answer(ctx, answer.Request{
		Question:     question,
		Conversation: strconv.FormatInt(m.ChatID, 10),
		Stream:       m.Stream,
	})
	switch {
	case errors.Is(err, answer.ErrEmptyQuestion):
		return textReply(answer.MsgEmptyQuestion)
	case err != nil:
		c.failed.Add(1)
		c.log.Error("answer failed", "chat", m.ChatID, "err", err)
		r := textReply(msgInternalError)
		r.outcome = "error"
		return r
	}
	c.answered.Add(1)
	if a.NotFound() {
		c.notFound.Add(1)
	}
	c.last.Put(m.ChatID, a)
	return Reply{Text: a.String(), HTML: answerHTML(a), Answer: &a, outcome: string(a.Mode)}
}

// allow spends one of the sender's questions: every reply does, to
// commands, questions and messages the bot cannot read alike. When none
// is left it returns a polite reply the first time in a minute, and a
// zero Reply after that.
func (c *Chat) allow(m Message) (Reply, bool) {
	if c.opts.QuestionsPerMinute <= 0 || m.Admin {
		return Reply{}, true
	}
	u := c.users.Get(m.UserID, func() *userLimit {
		burst := max(c.opts.QuestionBurst, 1)
		return &userLimit{lim: rate.NewLimiter(rate.Limit(c.opts.QuestionsPerMinute/60), burst)}
	})
	if u.lim.Allow() {
		return Reply{}, true
	}
	c.limited.Add(1)
	now := time.Now().UnixNano()
	last := u.warned.Load()
	if now-last < int64(time.Minute) || !u.warned.CompareAndSwap(last, now) {
		return Reply{}, false
	}
	return textReply(msgSlowDown), false
}

// sources lists the passages behind the chat's last answer with scores.
func (c *Chat) sources(chatID int64) Reply {
	a, ok := c.last.Lookup(chatID)
	if !ok {
		return textReply(msgNoLastAnswer)
	}
	if len(a.Passages) == 0 {
		return textReply(msgNoPassages)
	}
	return Reply{Text: passagesText(a.Passages), HTML: passagesHTML(a.Passages)}
}

func (c *Chat) summary(ctx context.Context, m Message, args string) Reply {
	if c.opts.Summarizer == nil {
		return textReply(msgSummaryUnavailable)
	}
	if m.Busy != nil {
		m.Busy()
	}
	s, err := c.opts.Summarizer.Summarize(ctx, answer.SummaryRequest{Text: args})
	if err != nil {
		c.failed.Add(1)
		c.log.Error("summary failed", "chat", m.ChatID, "err", err)
		return textReply(msgSummaryFailed)
	}
	return Reply{Text: s.String(), HTML: summaryHTML(s)}
}

func (c *Chat) reloadReply() Reply {
	if c.reload == nil {
		return textReply(msgReloadUnavailable)
	}
	r := textReply(msgReloading)
	r.Then = func(ctx context.Context) Reply {
		rep, err := c.reload.Reload(ctx)
		return reportReply(rep, err)
	}
	return r
}

// stats renders /stats.
func (c *Chat) stats() Reply {
	var lines []string
	if c.opts.Stats != nil {
		st := c.opts.Stats()
		lines = append(lines, fmt.Sprintf(msgStatsIndex, persian.Itoa(st.Articles), persian.Itoa(st.Chunks)))
		if !st.Built.IsZero() {
			built := st.Built.In(persian.Tehran()) // the readers' time, not the server's
			lines = append(lines, fmt.Sprintf(msgStatsBuilt, persian.FormatDate(built)+" "+persian.Digits(built.Format("15:04"))))
		}
	}
	lines = append(lines,
		fmt.Sprintf(msgStatsUptime, duration(time.Since(c.start))),
		fmt.Sprintf(msgStatsAnswered, itoa64(c.answered.Load()), itoa64(c.notFound.Load())),
		fmt.Sprintf(msgStatsLimited, itoa64(c.limited.Load())),
		fmt.Sprintf(msgStatsErrors, itoa64(c.failed.Load())),
	)
	if c.reload != nil {
		lines = append(lines, fmt.Sprintf(msgStatsReloads, itoa64(c.reload.runs.Load())))
	}
	if c.sends != nil {
		sent, waits := c.sends()
		lines = append(lines, fmt.Sprintf(msgStatsSends, itoa64(sent), itoa64(waits)))
	}
	text := msgStatsHeading + "\n• " + strings.Join(lines, "\n• ")
	return textReply(text)
}

func itoa64(n int64) string { return persian.Digits(strconv.FormatInt(n, 10)) }

// duration renders d as «۳ ساعت و ۵ دقیقه».
func duration(d time.Duration) string {
	h := int(d / time.Hour)
	m := int(d % time.Hour / time.Minute)
	if h == 0 {
		return persian.Itoa(m) + " " + msgMinutes
	}
	return persian.Itoa(h) + " " + msgHours + msgAnd + persian.Itoa(m) + " " + msgMinutes
}

// parseCommand splits "/cmd@bot args" into "cmd" and "args". A command
// name is ASCII letters, digits and underscores, as Telegram's are; other
// text that starts with "/" is not a command.
func parseCommand(text string) (cmd, args string, ok bool) {
	rest, found := strings.CutPrefix(text, "/")
	if !found {
		return "", "", false
	}
	head := rest
	if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
		head, args = rest[:i], rest[i:]
	}
	head, _, _ = strings.Cut(head, "@")
	if head == "" || strings.IndexFunc(head, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
	}) >= 0 {
		return "", "", false
	}
	return strings.ToLower(head), strings.TrimSpace(args), true
}
