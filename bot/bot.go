package bot

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/khabar/khabar/chat"
)

// telegram is what the bot needs of the Bot API; *tgbotapi.BotAPI is one.
type telegram interface {
	GetUpdates(tgbotapi.UpdateConfig) ([]tgbotapi.Update, error)
	Send(tgbotapi.Chattable) (tgbotapi.Message, error)         // sendMessage, editMessageText
	Request(tgbotapi.Chattable) (*tgbotapi.APIResponse, error) // results that are not a Message
	MakeRequest(endpoint string, params tgbotapi.Params) (*tgbotapi.APIResponse, error)
	GetFile(tgbotapi.FileConfig) (tgbotapi.File, error)
}

// observer receives the bot's measurements; *metrics.Metrics is one.
type observer interface {
	Question(chat, mode string)
	Stage(stage string, d time.Duration)
	TelegramError(method string, code int) // see [errorCode]
	Reload(err error)
}

type nopObserver struct{}

func (nopObserver) Question(string, string)     {}
func (nopObserver) Stage(string, time.Duration) {}
func (nopObserver) TelegramError(string, int)   {}
func (nopObserver) Reload(error)                {}

// Options configure a [Bot]. Zero values mean the defaults.
type Options struct {
	// Token is the bot token, used only to download files; it is never
	// logged.
	Token string
	// APIEndpoint is the Bot API endpoint format given to tgbotapi
	// ("https://api.telegram.org/bot%s/%s"); files are downloaded from the
	// same server ("…/file/bot%s/%s"), never through File.Link.
	APIEndpoint string
	// HTTPClient downloads files; default a client with a two-minute
	// timeout.
	HTTPClient *http.Client
	// PollTimeout is the long-poll timeout; default 50s, at least 1s. The
	// API client's HTTP timeout must be longer.
	PollTimeout time.Duration
	// Workers handle updates in parallel; default 8.
	Workers int
	// UpdateTimeout bounds the handling of one update; default 90s. The
	// delivery of its reply is bounded by DeliveryTimeout instead.
	UpdateTimeout time.Duration
	// DeliveryTimeout is how long a reply is retried through Telegram's
	// flood waits, 5xx and lost connections before it is given up and the
	// reader is told; default an hour.
	DeliveryTimeout time.Duration
	// ShutdownGrace is how long Run, once its context is done, lets the
	// updates being handled and the replies being sent finish before it
	// abandons them and returns; default 8s (Docker kills after 10s).
	// Updates not handled are left unconfirmed in long polling, so that
	// Telegram delivers them again after the restart.
	ShutdownGrace time.Duration
	// Admins are the numeric user ids allowed /reload, /stats and uploads.
	Admins []int64
	// AllowedChats, when set, are the only groups the bot stays in: it
	// leaves any other group it is added to or hears from. Private chats
	// are always served (the per-user question limit protects them).
	AllowedChats []int64
	// Webhook, when its URL is set, receives updates instead of long
	// polling.
	Webhook Webhook
	// Metrics, when set, counts questions by chat type and outcome, times
	// answers and sends, and counts failed Bot API calls and reloads.
	Metrics observer
	// Channels, when set, keeps the posts of the channels the bot
	// administers as articles (see bot/channel.go); nil ignores channel
	// posts.
	Channels channelStore
	// ChannelSyncDelay is the least time between two index syncs after
	// channel posts (posts in between share one); default 3s.
	ChannelSyncDelay time.Duration
	// Counts, when set, counts the messages sent and the flood waits met;
	// give its Load to chat.Options.Sends for /stats. Default a new one.
	Counts *SendCounts
	// NoPacing turns off the per-chat and global send pacing (for tests
	// and benchmarks of the bot itself); retry_after is still honoured.
	NoPacing bool
	// Inbox, when set in webhook mode, is where the webhook puts updates
	// and the workers take them from, shared by every replica (see
	// [Inbox]); nil keeps the in-process queue.
	Inbox Inbox
	// Pacer, when set, paces the sends with every other replica (see
	// [SharedPacer]); nil paces this process alone.
	Pacer SharedPacer
}

// Webhook configures webhook mode.
type Webhook struct {
	// URL is the public https URL Telegram posts updates to.
	URL string
	// Secret is the secret_token Telegram sends back in the
	// X-Telegram-Bot-Api-Secret-Token header; requests without it are
	// refused. Required.
	Secret string
	// Listen is the local address of the HTTP server, e.g. ":8443".
	Listen string
}

func (o Options) withDefaults() Options {
	if o.PollTimeout <= 0 {
		o.PollTimeout = 50 * time.Second
	}
	o.PollTimeout = max(o.PollTimeout, time.Second)
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.UpdateTimeout <= 0 {
		o.UpdateTimeout = 90 * time.Second
	}
	if o.DeliveryTimeout <= 0 {
		o.DeliveryTimeout = defaultDeliveryTimeout
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = defaultShutdownGrace
	}
	if o.Metrics == nil {
		o.Metrics = nopObserver{}
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 2 * time.Minute}
	}
	if o.ChannelSyncDelay <= 0 {
		o.ChannelSyncDelay = defaultChannelSyncDelay
	}
	if o.Counts == nil {
		o.Counts = &SendCounts{}
	}
	return o
}

// SendCounts counts the messages a [Bot] sent and the flood waits
// (retry_after) it met. It is safe for concurrent use.
type SendCounts struct {
	sent, floodWaits atomic.Int64
}

// Load returns the counts.
func (s *SendCounts) Load() (sent, floodWaits int64) { return s.sent.Load(), s.floodWaits.Load() }

// defaultShutdownGrace leaves a margin within Docker's ten seconds.
const defaultShutdownGrace = 8 * time.Second

// errShuttingDown cancels the work still running when the shutdown grace
// ends.
var errShuttingDown = errors.New("shutting down")

// allowedUpdates are the update kinds the bot asks for.
var allowedUpdates = []string{"message", "my_chat_member", "channel_post", "edited_channel_post"}

// Bot is the Telegram transport of a [chat.Chat]: it receives updates by long
// polling or webhook, decides which messages are meant for it, and
// delivers the replies as paced, split, HTML-formatted messages.
type Bot struct {
	api  telegram
	self tgbotapi.User
	chat *chat.Chat
	log  *slog.Logger
	opts Options

	admins    map[int64]bool
	allowedMu sync.RWMutex
	allowed   map[int64]bool // grows when an allowed group is upgraded
	moves     chatMoves      // groups upgraded to supergroups
	migrateMu sync.Mutex
	probeMu   sync.Mutex
	probed    map[int64]bool // allowed groups asked whether they were upgraded
	topics    topicMemo      // forum topics of updates, from decoding to handling
	fileBase  string         // file download endpoint format, "" when unknown
	pace      *pacer
	out       *outbox // set by Run; nil: replies are sent by the worker

	incoming atomic.Pointer[queue] // set while Run runs, for the webhook handler
	ready    atomic.Bool           // receiving updates
	seen     recentIDs             // webhook update ids already taken
	bg       sync.WaitGroup        // background work started by replies (reloads)

	channelKick chan struct{} // a channel post asks for an index sync

	// Backoff of the update loop after an error.
	backoffMin, backoffMax time.Duration
	// Pauses between the attempts of a send after a 5xx or no answer.
	retryMin, retryMax time.Duration
}

// New returns a bot that talks to Telegram through api as the user self
// (from getMe) and answers with c. It does no I/O.
func New(api telegram, self tgbotapi.User, c *chat.Chat, log *slog.Logger, opts Options) *Bot {
	opts = opts.withDefaults()
	b := &Bot{
		api:        api,
		self:       self,
		chat:       c,
		log:        log,
		opts:       opts,
		admins:     idSet(opts.Admins),
		allowed:    idSet(opts.AllowedChats),
		probed:     map[int64]bool{},
		pace:       newPacer(!opts.NoPacing),
		backoffMin: time.Second,
		backoffMax: time.Minute,
		retryMin:   retryMin,
		retryMax:   retryMax,
	}
	b.pace.shared, b.pace.log = opts.Pacer, log
	b.channelKick = make(chan struct{}, 1)
	if base, ok := FileEndpoint(opts.APIEndpoint); ok {
		b.fileBase = base
	}
	return b
}

func idSet(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// FileEndpoint derives the file download endpoint format
// ("…/file/bot%s/%s") from a Bot API endpoint format ("…/bot%s/%s"). It
// reports false when the endpoint does not end in "/bot%s/%s".
func FileEndpoint(apiEndpoint string) (string, bool) {
	base, ok := strings.CutSuffix(apiEndpoint, "/bot%s/%s")
	if !ok {
		return "", false
	}
	return base + "/file/bot%s/%s", true
}

// Run serves the bot until ctx is done: it registers the commands, then
// receives updates by long polling (removing any webhook first) or, when
// Options.Webhook.URL is set, by webhook. Replies go out through an outbox
// that retries them without holding a worker.
//
// On shutdown it stops receiving and gives the work in progress
// ShutdownGrace: the updates being handled finish (in webhook mode, the
// queued ones too: Telegram will not send them again), the replies queued
// are sent, and background work ends; what is left then is cancelled and
// abandoned. In long polling, the updates not handled stay unconfirmed,
// so that Telegram delivers them again after the restart.
func (b *Bot) Run(ctx context.Context) error {
	b.logPrivacy()
	b.registerCommands()
	// abandon is cancelled when the grace ends; the handlers and the
	// outbox work within it, not within ctx.
	abandon, cancelAbandon := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelAbandon(nil)
	var graceMu sync.Mutex
	var grace *time.Timer
	stopGrace := context.AfterFunc(ctx, func() {
		graceMu.Lock()
		defer graceMu.Unlock()
		grace = time.AfterFunc(b.opts.ShutdownGrace, func() { cancelAbandon(errShuttingDown) })
	})
	defer func() {
		stopGrace()
		graceMu.Lock()
		defer graceMu.Unlock()
		if grace != nil {
			grace.Stop()
		}
	}()

	b.out = newOutbox(abandon, outboxLimits{perChat: defaultOutboxPerChat, total: defaultOutboxTotal, timeout: b.opts.DeliveryTimeout}, b.log, b.apologize)
	webhook := b.opts.Webhook.URL != ""
	var st *pollState
	if !webhook {
		st = newPollState()
	}
	b.startChannels(ctx)
	maxPending := max(64, 32*b.opts.Workers)
	q := newQueue(b.opts.Workers, maxPending, 50, func(u tgbotapi.Update) {
		b.handle(abandon, ctx, u)
		if st != nil && abandon.Err() == nil {
			st.done(u.UpdateID)
		}
	})
	var err error
	inboxDone := make(chan struct{})
	if in := b.opts.Inbox; webhook && in != nil {
		go func() { defer close(inboxDone); b.runInbox(ctx, abandon, in) }()
	} else {
		close(inboxDone)
	}
	if webhook {
		err = b.serveWebhook(ctx, abandon, q)
		<-inboxDone // the updates being handled finish; the others stay stored for the other replicas
	} else {
		err = b.poll(ctx, abandon, q, st)
	}
	b.ready.Store(false)
	if left := q.stop(webhook, abandon.Done()); left > 0 {
		if webhook {
			b.log.Warn("updates abandoned at shutdown: Telegram will not deliver them again", "updates", left)
		} else {
			b.log.Info("updates left for the next start", "updates", left)
		}
	}
	bgDone := make(chan struct{})
	go func() { b.bg.Wait(); close(bgDone) }()
	select {
	case <-bgDone:
	case <-abandon.Done():
		b.log.Warn("background work abandoned at shutdown")
	}
	if left := b.out.close(abandon.Done()); left > 0 {
		b.log.Error("replies not delivered at shutdown", "replies", left)
	}
	if st != nil {
		b.confirm(st.offset())
	}
	b.log.Info("bot stopped")
	return err
}

// Ready reports whether the bot is receiving updates.
func (b *Bot) Ready() bool { return b.ready.Load() }

// logPrivacy says at start what the bot can hear in groups.
func (b *Bot) logPrivacy() {
	if b.self.CanReadAllGroupMessages {
		b.log.Info("privacy mode is off: the bot receives every group message; it answers only /ask, replies to its messages and mentions of @" + b.self.UserName)
		return
	}
	b.log.Info("privacy mode is on: in groups the bot receives only commands, replies to its messages and service messages; " +
		"a plain mention of @" + b.self.UserName + " reaches it only if it is a group admin or privacy mode is turned off (@BotFather, /setprivacy)")
}

// registerCommands publishes the chat's command table with its Persian
// descriptions: everyone's commands for everyone (less those not for
// groups in groups), and all of them in each admin's private chat.
// Failures are logged: the bot works without them.
func (b *Bot) registerCommands() {
	public, group, admin := commandMenus(b.chat.Commands())
	if _, err := b.api.Request(tgbotapi.NewSetMyCommands(public...)); err != nil {
		b.log.Warn("setMyCommands failed", "err", b.redact(err))
	}
	if _, err := b.api.Request(tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeAllGroupChats(), group...)); err != nil {
		b.log.Warn("setMyCommands for groups failed", "err", b.redact(err))
	}
	for id := range b.admins {
		if _, err := b.api.Request(tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(id), admin...)); err != nil {
			// Fails until the admin has started a chat with the bot.
			b.log.Debug("setMyCommands for an admin failed", "admin", id, "err", b.redact(err))
		}
	}
}

// commandMenus splits the command table into the menus of private chats,
// of groups and of the admins' private chats.
func commandMenus(cmds []chat.Command) (public, group, admin []tgbotapi.BotCommand) {
	for _, c := range cmds {
		bc := tgbotapi.BotCommand{Command: c.Name, Description: c.Description}
		admin = append(admin, bc)
		if c.Admin {
			continue
		}
		public = append(public, bc)
		if !c.NotInGroups {
			group = append(group, bc)
		}
	}
	return public, group, admin
}

// handleUpdate handles one update within UpdateTimeout, like a worker
// of Run whose shutdown grace never ends.
func (b *Bot) handleUpdate(life context.Context, u tgbotapi.Update) {
	b.handle(context.WithoutCancel(life), life, u)
}

// handle handles one update within UpdateTimeout. Its context is not
// cancelled by shutdown but by abandon (the end of the shutdown grace),
// so that an answer being written is finished; life, which is, bounds
// background work.
func (b *Bot) handle(abandon, life context.Context, u tgbotapi.Update) {
	ctx, cancel := context.WithTimeout(abandon, b.opts.UpdateTimeout)
	defer cancel()
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("update handler panicked", "update", u.UpdateID, "chat", chatKey(u), "panic", p)
			return
		}
		b.log.Debug("update handled", "update", u.UpdateID, "chat", chatKey(u), "took", time.Since(start).Round(time.Millisecond))
	}()
	switch {
	case u.Message != nil:
		b.handleMessage(ctx, life, u.Message, b.topics.take(u.UpdateID))
	case u.ChannelPost != nil:
		b.handleChannelPost(u.ChannelPost)
	case u.EditedChannelPost != nil:
		b.handleChannelPost(u.EditedChannelPost)
	case u.MyChatMember != nil:
		b.channelMembership(u.MyChatMember)
		b.handleMembership(ctx, u.MyChatMember)
	}
}

func isGroup(c *tgbotapi.Chat) bool { return c.IsGroup() || c.IsSuperGroup() }

// allowedChat reports whether the bot may stay in chat: a private chat,
// an allowed group, or a supergroup that an allowed group became.
func (b *Bot) allowedChat(c *tgbotapi.Chat) bool {
	b.allowedMu.RLock()
	ok := len(b.allowed) == 0 || !isGroup(c) || b.allowed[c.ID]
	b.allowedMu.RUnlock()
	return ok || c.IsSuperGroup() && b.upgradedFromAllowed(c.ID)
}

// upgradedFromAllowed reports whether the supergroup chatID is what an
// allowed group became, asking Telegram (getChat on the group answers
// with the supergroup's id) about each allowed group not asked yet. It
// finds upgrades made while the bot was not running, whose service
// messages it never saw; those it sees are followed by migrate.
func (b *Bot) upgradedFromAllowed(chatID int64) bool {
	b.probeMu.Lock()
	defer b.probeMu.Unlock()
	b.allowedMu.RLock()
	var ask []int64
	for id := range b.allowed {
		if id < 0 && id > -1_000_000_000_000 && !b.probed[id] { // a basic group's id
			ask = append(ask, id)
		}
	}
	b.allowedMu.RUnlock()
	for _, id := range ask {
		_, err := b.api.Request(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: id}})
		if to, ok := migratedTo(err); ok {
			b.migrate(id, to)
		} else if err != nil {
			if _, isAPI := apiError(err); !isAPI {
				continue // no answer: ask again next time
			}
		}
		b.probed[id] = true
	}
	b.allowedMu.RLock()
	defer b.allowedMu.RUnlock()
	return b.allowed[chatID]
}

// handleMembership leaves groups that are not allowed as soon as the bot
// is added to them.
func (b *Bot) handleMembership(ctx context.Context, cm *tgbotapi.ChatMemberUpdated) {
	switch cm.NewChatMember.Status {
	case "member", "administrator":
	default:
		return
	}
	if b.allowedChat(&cm.Chat) {
		b.log.Info("added to a chat", "chat", cm.Chat.ID, "type", cm.Chat.Type, "by", cm.From.ID)
		return
	}
	b.leave(ctx, cm.Chat.ID)
}

func (b *Bot) leave(ctx context.Context, chatID int64) {
	b.log.Info("leaving a chat that is not in ALLOWED_CHAT_IDS", "chat", chatID)
	if _, err := b.api.Request(tgbotapi.LeaveChatConfig{ChatID: chatID}); err != nil {
		b.opts.Metrics.TelegramError("leaveChat", errorCode(err))
		b.log.Warn("leaveChat failed", "chat", chatID, "err", b.redact(err))
	}
}

// handleMessage answers a message meant for the bot and ignores the rest.
// thread is the forum topic of the message (0 for none).
func (b *Bot) handleMessage(ctx, life context.Context, m *tgbotapi.Message, thread int) {
	if m.Chat == nil || m.Chat.IsChannel() {
		return
	}
	switch {
	case m.MigrateToChatID != 0: // in the old group, which is gone
		b.migrate(m.Chat.ID, m.MigrateToChatID)
		return
	case m.MigrateFromChatID != 0: // in the new supergroup
		b.migrate(m.MigrateFromChatID, m.Chat.ID)
	}
	if !b.allowedChat(m.Chat) {
		b.leave(ctx, m.Chat.ID)
		return
	}
	s, ok := senderOf(m)
	if !ok {
		return
	}
	text, kind := b.address(m)
	if kind == intentIgnore {
		return
	}
	to := b.destOf(m, thread)
	msg := chat.Message{ChatID: m.Chat.ID, Thread: thread, UserID: s.id, Text: text, Private: m.Chat.IsPrivate()}
	if s.user {
		msg.Admin = b.admins[s.id]
	}
	msg.ChatAdmin = b.chatAdmin(m, s)
	if kind != intentText { // Handle spends the sender's question for text
		if r, ok := b.chat.Allow(msg); !ok {
			b.deliver(ctx, life, to, r, 0)
			return
		}
	}
	switch kind {
	case intentNonText:
		b.deliver(ctx, life, to, chat.Text(msgNonText), 0)
		return
	case intentDocument:
		b.upload(ctx, life, m, msg, to)
		return
	}

	var typing *typer
	msg.Busy = func() {
		if typing == nil {
			typing = b.startTyping(ctx, to)
		}
	}
	pv := b.newPreview(ctx, to)
	msg.Stream = pv.update
	start := time.Now()
	reply := b.chat.Handle(ctx, msg)
	if reply.Outcome != "" {
		chatType := "private"
		if isGroup(m.Chat) {
			chatType = "group"
		}
		b.opts.Metrics.Question(chatType, reply.Outcome)
		b.opts.Metrics.Stage("answer", time.Since(start))
	}
	if typing != nil {
		typing.stop()
	}
	editID := pv.close(ctx)
	if reply.IsZero() && editID != 0 {
		reply = chat.Text(chat.MsgInternalError) // a stream without a result
	}
	b.deliver(ctx, life, to, reply, editID)
}

// sender is who wrote a message: a user, or a chat (an anonymous group
// admin writes as the group, a channel's admins as the channel).
type sender struct {
	id   int64 // the user's or the chat's id
	user bool
	// anonymousAdmin: the group itself, which only its admins can write as.
	anonymousAdmin bool
}

// senderOf returns the sender of m, and false for messages the bot never
// answers: those of bots (other than an anonymous admin's or a channel's
// messages, which Telegram signs with a service bot) and channel posts
// copied automatically into their discussion group.
func senderOf(m *tgbotapi.Message) (sender, bool) {
	switch {
	case m.IsAutomaticForward:
		return sender{}, false
	case m.SenderChat != nil:
		return sender{id: m.SenderChat.ID, anonymousAdmin: m.SenderChat.ID == m.Chat.ID}, true
	case m.From == nil:
		return sender{}, true
	case m.From.IsBot:
		return sender{}, false
	}
	return sender{id: m.From.ID, user: true}, true
}

// deliver shows r in the conversation to: in the message editID when a
// preview is there, else in new messages, every one replying to
// to.replyTo. The sends go through the outbox, which retries them until
// DeliveryTimeout without holding the worker, after the chat's earlier
// replies; without an outbox (outside Run) they are made at once within
// ctx. When r has Then, it runs in the background, bounded by life, and its
// reply replaces r's first message. Nothing is sent for an update
// abandoned at shutdown: it is handled again after the restart.
func (b *Bot) deliver(ctx, life context.Context, to dest, r chat.Reply, editID int) {
	if r.IsZero() {
		return
	}
	if errors.Is(context.Cause(ctx), errShuttingDown) {
		b.log.Info("reply not sent: the update was abandoned at shutdown", "chat", to.chatID)
		return
	}
	run := func(ctx context.Context) error {
		defer func(start time.Time) { b.opts.Metrics.Stage("send", time.Since(start)) }(time.Now())
		var first int
		var err error
		if html := replyHTML(r); editID != 0 {
			first, err = b.replaceHTML(ctx, to, editID, html)
		} else {
			first, err = b.sendHTML(ctx, to, html)
		}
		if err != nil {
			b.log.Error("reply not delivered", "chat", to.chatID, "err", b.redact(err))
		}
		if r.Then != nil && first != 0 {
			b.bg.Go(func() { b.followUp(life, to, first, r.Then) })
		}
		return err
	}
	if b.out == nil {
		run(ctx)
		return
	}
	if !b.out.add(ctx, to, run) {
		b.opts.Metrics.Stage("send", 0)
	}
}

// followUp runs then, bounded by life, and puts its reply in the message
// msgID.
func (b *Bot) followUp(life context.Context, to dest, msgID int, then func(context.Context) chat.Reply) {
	next := then(life)
	run := func(ctx context.Context) error {
		_, err := b.replaceHTML(ctx, to, msgID, replyHTML(next))
		if err != nil {
			b.log.Error("follow-up not delivered", "chat", to.chatID, "err", b.redact(err))
		}
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(life), 30*time.Second)
	defer cancel()
	if b.out == nil {
		run(ctx)
		return
	}
	b.out.add(ctx, to, run)
}

// apologize tells the reader that a reply was lost.
func (b *Bot) apologize(ctx context.Context, to dest) {
	if _, err := b.sendPart(ctx, to, escape(msgDeliveryFailed)); err != nil {
		b.log.Error("apology for a lost reply not delivered", "chat", to.chatID, "err", b.redact(err))
	}
}

// upload takes an article file from an admin's private chat.
func (b *Bot) upload(ctx, life context.Context, m *tgbotapi.Message, msg chat.Message, to dest) {
	if !m.Chat.IsPrivate() {
		b.deliver(ctx, life, to, chat.Text(msgUploadPrivateOnly), 0)
		return
	}
	doc := m.Document
	if r, ok := b.chat.CheckUpload(msg, doc.FileName, int64(doc.FileSize)); !ok {
		b.deliver(ctx, life, to, r, 0)
		return
	}
	data, err := b.download(ctx, doc.FileID, b.chat.MaxUploadBytes())
	switch {
	case errors.Is(err, errTooBig):
		r, _ := b.chat.CheckUpload(msg, doc.FileName, b.chat.MaxUploadBytes()+1)
		b.deliver(ctx, life, to, r, 0)
		return
	case err != nil:
		b.log.Error("download failed", "chat", msg.ChatID, "err", b.redact(err))
		b.deliver(ctx, life, to, chat.Text(chat.MsgUploadFailed), 0)
		return
	}
	b.deliver(ctx, life, to, b.chat.AddFile(ctx, msg, doc.FileName, data), 0)
}

// migrate follows a group's upgrade to a supergroup: replies and digests
// go to the new id, and the supergroup is allowed when the group was.
func (b *Bot) migrate(from, to int64) {
	// One at a time: whoever sees the move second returns once it is done.
	b.migrateMu.Lock()
	defer b.migrateMu.Unlock()
	if !b.moves.add(from, to) {
		return
	}
	b.allowedMu.Lock()
	moved := b.allowed[from]
	if moved {
		b.allowed[to] = true
	}
	b.allowedMu.Unlock()
	if moved {
		b.log.Warn("an allowed group was upgraded to a supergroup: put the new id in ALLOWED_CHAT_IDS", "from", from, "to", to)
	} else {
		b.log.Info("group upgraded to a supergroup", "from", from, "to", to)
	}
	if had, err := b.chat.MoveChat(from, to); err != nil {
		b.log.Error("digest subscription not moved to the supergroup", "from", from, "to", to, "err", err)
	} else if had {
		b.log.Info("digest subscription moved to the supergroup", "from", from, "to", to)
	}
}

// redact removes the bot token from an error for logging: the HTTP
// client's errors quote the request URL, which contains it.
func (b *Bot) redact(err error) error { return RedactToken(err, b.opts.Token) }

// RedactToken removes the bot token from an error: the Bot API client
// quotes request URLs, which contain it.
func RedactToken(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "<token>"))
}

// recentIDs remembers the last update ids taken from the webhook, so that
// a redelivered update is not handled twice.
type recentIDs struct {
	once sync.Once
	ids  *lru.Cache[int, struct{}]
}

// maxRecentIDs is how many update ids the webhook remembers.
const maxRecentIDs = 1024

func (r *recentIDs) cache() *lru.Cache[int, struct{}] {
	r.once.Do(func() {
		r.ids, _ = lru.New[int, struct{}](maxRecentIDs) // fails only for a size below 1
	})
	return r.ids
}

// add records id and reports whether it is new.
func (r *recentIDs) add(id int) bool {
	seen, _ := r.cache().ContainsOrAdd(id, struct{}{})
	return !seen
}

// remove forgets id, so that it is taken again.
func (r *recentIDs) remove(id int) { r.cache().Remove(id) }
