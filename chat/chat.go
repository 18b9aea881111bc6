package chat

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

	"github.com/khabar/khabar/answer"
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
// known to be meant for the bot (see [Chat.MeantForMe]).
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

// Reply is what the chat says back, as blocks that each transport renders
// (Telegram in HTML, the console in plain text: [Reply.PlainText]). A
// zero Reply says nothing.
type Reply struct {
	// Blocks are the reply's parts in the order shown: plain text, an
	// answer's or a summary's blocks, the passages of /sources.
	Blocks []answer.Block
	// Answer is set when the reply answers a question.
	Answer *answer.Answer
	// Then, when set, is slow work started by the reply (a reload): the
	// transport shows the reply at once, runs Then in the background and
	// replaces the reply with Then's.
	Then func(ctx context.Context) Reply
	// Outcome is how a question went, for metrics: the answer's mode,
	// "error" or "refused"; "" for anything but a question. A refused
	// question may have no blocks.
	Outcome string
}

// IsZero reports whether r says nothing.
func (r Reply) IsZero() bool { return len(r.Blocks) == 0 }

// PlainText is the reply as plain text.
func (r Reply) PlainText() string { return answer.PlainText(r.Blocks) }

// Text is a reply of plain text; "" says nothing.
func Text(s string) Reply {
	if s == "" {
		return Reply{}
	}
	return Reply{Blocks: []answer.Block{{Kind: answer.BlockText, Text: s}}}
}

// textReply is [Text].
func textReply(s string) Reply { return Text(s) }

// Options tune a [Chat]. Zero values disable what they configure.
type Options struct {
	// Summarizer answers /summary; nil makes /summary say it is
	// unavailable.
	Summarizer summarizer
	// Reload syncs the index with the corpus, for /reload and after an
	// upload; nil disables both.
	Reload func(ctx context.Context) (retrieval.Report, error)
	// OnReload, when set, is told how each sync of Reload ended (for
	// metrics).
	OnReload func(err error)
	// Stats describes the serving index, for /stats.
	Stats func() retrieval.Stats
	// Sends, when set, counts the transport's sent messages and flood
	// waits, for /stats.
	Sends func() (sent, floodWaits int64)
	// Digests keeps the daily digest subscriptions that /digest shows and
	// changes; nil makes /digest say digests are unavailable.
	Digests Digests
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
	// (admins are exempt); 0 means no limit. They configure the default,
	// in-memory Limiter.
	QuestionsPerMinute float64
	QuestionBurst      int
	// Limiter, when set, limits the senders' replies instead of the
	// in-memory limiter of QuestionsPerMinute (admins are still exempt).
	Limiter Limiter
	// Memory, when set, keeps each chat's last answer (for /sources)
	// instead of the in-memory default.
	Memory Memory
	// Channels lists the channels whose posts are articles, for
	// /channels; nil makes /channels say they are off.
	Channels channelLister
	// Extra commands follow the built-in ones of [Commands]: handled,
	// listed, described and addressed like them.
	Extra []Command
}

// Chat is the conversation shared by every transport: commands,
// questions, the per-chat memory behind /sources, per-user question
// limits, admin commands and uploads. It is safe for concurrent use.
type Chat struct {
	answer   answerer
	opts     Options
	log      *slog.Logger
	start    time.Time
	reload   *reloader
	commands []Command
	limiter  Limiter // nil: no limit
	last     Memory

	answered, notFound, limited, failed atomic.Int64
}

// New returns a chat that answers with a.
func New(a answerer, log *slog.Logger, opts Options) *Chat {
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = 10 << 20
	}
	if opts.MaxArticleBytes <= 0 {
		opts.MaxArticleBytes = 1 << 20
	}
	c := &Chat{
		answer:   a,
		opts:     opts,
		log:      log,
		start:    time.Now(),
		commands: append(Commands(), opts.Extra...),
		limiter:  opts.Limiter,
		last:     opts.Memory,
	}
	if c.limiter == nil && opts.QuestionsPerMinute > 0 {
		c.limiter = NewRateLimiter(opts.QuestionsPerMinute, opts.QuestionBurst)
	}
	if c.last == nil {
		c.last = NewMemory()
	}
	if opts.Reload != nil {
		c.reload = &reloader{sync: opts.Reload, observe: opts.OnReload}
	}
	return c
}

// Handle returns the reply to m. Every reply, not only answers, spends
// one of the sender's questions (see [Options.QuestionsPerMinute]).
func (c *Chat) Handle(ctx context.Context, m Message) Reply {
	text := strings.TrimSpace(strings.ToValidUTF8(m.Text, ""))
	name, args, isCommand := parseCommand(text)
	if r, ok := c.Allow(m); !ok {
		if !isCommand || name == "ask" { // a question refused
			r.Outcome = "refused"
		}
		return r
	}
	if !isCommand {
		return c.ask(ctx, m, text)
	}
	cmd, ok := c.command(name)
	switch {
	case !ok:
		return textReply(msgUnknownCommand)
	case cmd.Admin && !m.Admin:
		if cmd.Refusal != "" {
			return textReply(cmd.Refusal)
		}
		return textReply(MsgAdminOnly)
	}
	return cmd.Run(ctx, c, m, args)
}

func (c *Chat) ask(ctx context.Context, m Message, question string) Reply {
	if strings.TrimSpace(question) == "" {
		return textReply(answer.MsgEmptyQuestion)
	}
	if max := c.opts.MaxQuestionChars; max > 0 && utf8.RuneCountInString(question) > max {
		r := textReply(fmt.Sprintf(MsgTooLong, persian.Itoa(max)))
		r.Outcome = "refused"
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
		Conversation: conversationKey(m),
		Stream:       m.Stream,
	})
	switch {
	case errors.Is(err, answer.ErrEmptyQuestion):
		return textReply(answer.MsgEmptyQuestion)
	case err != nil:
		c.failed.Add(1)
		c.log.Error("answer failed", "chat", m.ChatID, "err", err)
		r := textReply(MsgInternalError)
		r.Outcome = "error"
		return r
	}
	c.answered.Add(1)
	if a.NotFound() {
		c.notFound.Add(1)
	}
	c.last.Put(m.ChatID, a)
	return Reply{Blocks: a.Blocks(), Answer: &a, Outcome: string(a.Mode)}
}

// Allow spends one of the sender's questions: every reply does, to
// commands, questions and messages the bot cannot read alike (a transport
// calls it itself for what it answers without [Chat.Handle]). When none
// is left it returns a polite reply the first time in a minute, and a
// zero Reply after that.
func (c *Chat) Allow(m Message) (Reply, bool) {
	if c.limiter == nil || m.Admin {
		return Reply{}, true
	}
	ok, warn := c.limiter.Allow(m.UserID)
	if ok {
		return Reply{}, true
	}
	c.limited.Add(1)
	if !warn {
		return Reply{}, false
	}
	return textReply(MsgSlowDown), false
}

// sources lists the passages behind the chat's last answer with scores.
func (c *Chat) sources(chatID int64) Reply {
	a, ok := c.last.Last(chatID)
	if !ok {
		return textReply(MsgNoLastAnswer)
	}
	if len(a.Passages) == 0 {
		return textReply(msgNoPassages)
	}
	return Reply{Blocks: passageBlocks(a.Passages)}
}

// passageBlocks are the blocks of /sources: a heading, then every passage
// behind the last answer with its score (the share of the question it
// covers).
func passageBlocks(ps []retrieval.Passage) []answer.Block {
	blocks := []answer.Block{{Kind: answer.BlockHeading, Text: MsgSourcesHeading}}
	for i, p := range ps {
		blocks = append(blocks, answer.Block{
			Kind:    answer.BlockPassage,
			Text:    p.Text,
			Sources: []answer.Source{{N: i + 1, Passage: p}},
			Label:   MsgScore + " " + persian.Digits(fmt.Sprintf("%.2f", p.Coverage)),
		})
	}
	return blocks
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
	return Reply{Blocks: s.Blocks(answer.MsgSummaryHeading)}
}

func (c *Chat) reloadReply() Reply {
	if c.reload == nil {
		return textReply(msgReloadUnavailable)
	}
	r := textReply(MsgReloading)
	r.Then = func(ctx context.Context) Reply {
		rep, err := c.reload.Reload(ctx)
		return reportReply(rep, err)
	}
	return r
}

// ErrNoReload is returned by [Chat.Sync] when the chat has no Reload.
var ErrNoReload = errors.New("no reload configured")

// CanSync reports whether the chat can sync the index ([Options.Reload]).
func (c *Chat) CanSync() bool { return c.reload != nil }

// Sync syncs the index as /reload does, sharing the syncs of /reload and
// uploads (requests made while one runs share the next), for a transport
// whose own events change the corpus (channel posts).
func (c *Chat) Sync(ctx context.Context) (retrieval.Report, error) {
	if c.reload == nil {
		return retrieval.Report{}, ErrNoReload
	}
	return c.reload.Reload(ctx)
}

// stats renders /stats.
func (c *Chat) stats() Reply {
	var lines []string
	if c.opts.Stats != nil {
		st := c.opts.Stats()
		lines = append(lines, fmt.Sprintf(MsgStatsIndex, persian.Itoa(st.Articles), persian.Itoa(st.Chunks)))
		if !st.Built.IsZero() {
			built := st.Built.In(persian.Tehran()) // the readers' time, not the server's
			lines = append(lines, fmt.Sprintf(msgStatsBuilt, persian.FormatDate(built)+" "+persian.Digits(built.Format("15:04"))))
		}
	}
	lines = append(lines,
		fmt.Sprintf(msgStatsUptime, duration(time.Since(c.start))),
		fmt.Sprintf(MsgStatsAnswered, itoa64(c.answered.Load()), itoa64(c.notFound.Load())),
		fmt.Sprintf(msgStatsLimited, itoa64(c.limited.Load())),
		fmt.Sprintf(msgStatsErrors, itoa64(c.failed.Load())),
	)
	if c.reload != nil {
		lines = append(lines, fmt.Sprintf(msgStatsReloads, itoa64(c.reload.runs.Load())))
	}
	if c.opts.Sends != nil {
		sent, waits := c.opts.Sends()
		lines = append(lines, fmt.Sprintf(msgStatsSends, itoa64(sent), itoa64(waits)))
	}
	text := MsgStatsHeading + "\n• " + strings.Join(lines, "\n• ")
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

// MoveChat follows a chat whose id changed (a group upgraded to a
// supergroup): its digest subscription moves to the new id. It reports
// whether there was one.
func (c *Chat) MoveChat(from, to int64) (moved bool, err error) {
	if c.opts.Digests == nil {
		return false, nil
	}
	return c.opts.Digests.Move(from, to)
}

// CheckUpload says whether m may upload a file of that name and size; when
// not, the reply says why. Transports call it before downloading.
func (c *Chat) CheckUpload(m Message, name string, size int64) (Reply, bool) {
	return c.checkUpload(m, name, size)
}

// MaxUploadBytes is the largest file [Chat.AddFile] takes.
func (c *Chat) MaxUploadBytes() int64 { return c.opts.MaxUploadBytes }

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

// conversationKey keys the memory behind follow-up questions: a private
// chat is one conversation; in a group, each member's questions in each
// forum topic are one, so that a question is never read as going on about
// another member's, nor about one asked in another topic.
func conversationKey(m Message) string {
	key := strconv.FormatInt(m.ChatID, 10)
	if m.Thread != 0 {
		key += "/t" + strconv.Itoa(m.Thread)
	}
	if !m.Private && m.UserID != m.ChatID {
		key += "/u" + strconv.FormatInt(m.UserID, 10)
	}
	return key
}
