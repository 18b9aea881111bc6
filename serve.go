package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/bot"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/digest"
	"github.com/khabar/khabar/metrics"
	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/pgstate"
)

// errNoToken is returned by serve without TELEGRAM_BOT_TOKEN.
var errNoToken = errors.New("TELEGRAM_BOT_TOKEN is not set")

// cmdServe runs the Telegram bot until ctx is done: it loads and syncs the
// index, checks the token with getMe, serves updates by long polling or,
// with WEBHOOK_URL, by webhook, and sends the daily digests.
func cmdServe(ctx context.Context, cfg Config, log *slog.Logger) error {
	if cfg.TelegramBotToken == "" {
		return fmt.Errorf("serve: %w", errNoToken)
	}
	a, err := newApp(cfg, log, nil)
	if err != nil {
		return err
	}
	m := metrics.New(func() (int, int) {
		st := a.index.Stats()
		return st.Articles, st.Chunks
	})
	a.index.observe(m)
	// serve waits for Weaviate as long as it runs (/readyz answers 503
	// meanwhile), as it waits for Telegram.
	a.indexWait = 0
	// The ops listener starts first, so that /healthz answers during a
	// long first sync; /readyz waits for the bot.
	var running atomic.Pointer[bot.Bot]
	auth := &tokenWatch{}
	if cfg.OpsListen != "" {
		octx, stop := context.WithCancel(ctx)
		ready := func() bool { b := running.Load(); return b != nil && b.Ready() && auth.err() == nil }
		wait, err := serveOps(octx, cfg.OpsListen, opsHandler(m, ready, auth.err), log)
		if err != nil {
			stop()
			return err
		}
		defer func() { stop(); wait() }()
	}
	var shared *sharedState
	if cfg.StateBackend == "postgres" {
		if shared, err = openState(ctx, cfg, log); err != nil {
			return err
		}
		defer shared.close()
		if cfg.WebhookURL == "" {
			log.Warn("STATE_BACKEND=postgres with long polling: run one replica only (Telegram refuses a second poller); several replicas need WEBHOOK_URL")
		}
		// The index version is read before the first sync: one announced
		// during it is synced again once the watcher runs.
		if err := shared.reload.Baseline(ctx); err != nil {
			log.Warn("index version unknown: a reload announced during the first sync may be missed", "err", err)
		}
		shared.shareConversations(a)
		if a.remote != nil {
			// The replicas share the Weaviate index: their syncs take turns.
			a.serialize = shared.indexLock
		}
		shared.shareFeedArticles(a)
	}
	if _, err := a.openServing(ctx); err != nil {
		if ctx.Err() != nil && a.remote != nil {
			return nil // stopped while waiting for Weaviate
		}
		return err
	}
	stopFeeds, err := a.startFeeds(ctx, m, shared)
	if err != nil {
		return err
	}
	defer stopFeeds()
	var subs subscriptions // nil: digests are off
	if shared != nil {
		subs = shared.digests
		if a.feeds != nil {
			shared.startFeeds(ctx, a)
		}
	} else if store := openDigests(cfg.DataDir, log); store != nil {
		defer store.Close()
		subs = store
	}
	b, err := newBot(ctx, cfg, log, a, m, subs, shared, auth)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while waiting for Telegram
		}
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	if subs != nil {
		send := digestSender(a.composer, b, subs, cfg.UpdateTimeout, log)
		sched := digest.NewScheduler(subs, send, time.Now, persian.Tehran(), log)
		if shared != nil {
			// One replica sends; the (chat, day) claims keep a leader
			// change from sending a digest twice.
			wg.Go(func() { shared.leader.Run(sctx, func(ctx context.Context) { sched.Run(ctx, digestTick) }) })
		} else {
			wg.Go(func() { sched.Run(sctx, digestTick) })
		}
	}
	if shared != nil {
		wg.Go(func() { shared.watchReload(sctx, shared.withFeeds(a)) })
	}
	running.Store(b)
	return b.Run(ctx)
}

// Daily digests: how often the scheduler looks for due digests, and the
// most stories one digest tells.
const (
	digestTick    = 30 * time.Second
	digestStories = 8
)

// digestFile is the digest store's file in DATA_DIR.
const digestFile = "digest.db"

// openDigests opens the digest subscriptions in dataDir. When it cannot,
// it logs why and returns nil: the bot runs without digests, and /digest
// says they are unavailable.
func openDigests(dataDir string, log *slog.Logger) *digest.Store {
	if dataDir == "" {
		log.Warn("daily digests are off: DATA_DIR is not set")
		return nil
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		log.Error("daily digests are off: DATA_DIR cannot hold the store", "err", err)
		return nil
	}
	path := filepath.Join(dataDir, digestFile)
	store, err := digest.Open(path)
	switch {
	case errors.Is(err, digest.ErrCorrupt):
		log.Error("daily digests are off: the digest store is damaged; move it away to start with no subscriptions", "file", path, "err", err)
		return nil
	case err != nil:
		log.Error("daily digests are off: DATA_DIR cannot hold the store", "err", err)
		return nil
	}
	return store
}

// digester summarises what arrived in the index in (after, until];
// *answer.Composer is one.
type digester interface {
	Digest(ctx context.Context, after, until time.Time, maxStories int) (answer.Summary, error)
}

// digestSender composes each chat's digest with d and sends it through
// b, in the forum topic it was subscribed from, and reports false when
// nothing is new. A digest begun is finished (within timeout) even when
// serve is stopping. What a failed send means is the scheduler's rule:
// [bot.ErrUnreachable] and [bot.ErrRejected] are digest's sentinels. (A
// group upgraded to a supergroup gets it there: the bot moves the
// subscription.)
func digestSender(d digester, b *bot.Bot, store chat.Digests, timeout time.Duration, log *slog.Logger) digest.Sender {
	return func(ctx context.Context, chatID int64, after, until time.Time) (bool, error) {
		s, err := d.Digest(ctx, after, until, digestStories)
		if err != nil {
			return false, fmt.Errorf("compose digest: %w", err)
		}
		if len(s.Stories) == 0 {
			return false, nil
		}
		sub, _, err := store.Get(chatID)
		if err != nil {
			return false, fmt.Errorf("digest subscription: %w", err)
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		if err := b.SendDigest(sctx, chatID, sub.Thread, s); err != nil {
			return false, err // the scheduler unsubscribes or gives up (digest.ErrUnreachable, ErrRejected)
		}
		log.Info("digest sent", "chat", chatID, "stories", len(s.Stories))
		return true, nil
	}
}

// newBot connects to the Bot API and wires the bot to the app; the bot
// reports to m (serve it on an ops listener, with b.Ready for readiness).
// Until getMe answers (the network or a self-hosted Bot API server may come
// up after khabar) it retries with a capped exponential backoff, until ctx
// is done; auth watches every Bot API answer for a rejected token.
func newBot(ctx context.Context, cfg Config, log *slog.Logger, a *app, m *metrics.Metrics, digests chat.Digests, shared *sharedState, auth *tokenWatch) (*bot.Bot, error) {
	// tgbotapi has no context: the client's timeout, just above the long
	// poll, is what ends a request.
	client := &http.Client{Timeout: cfg.TelegramPollTimeout + 15*time.Second, Transport: auth.transport(http.DefaultTransport)}
	api, err := connect(ctx, cfg, client, log)
	if err != nil {
		return nil, err
	}
	self := api.Self
	log.Info("telegram bot", "username", self.UserName, "id", self.ID, "endpoint", endpointHost(cfg.TelegramAPIEndpoint))

	// Uploads are saved in the uploads folder (DATA_DIR/uploads: SEEDS_DIR
	// may be read-only, as in the Docker image, or built into the binary).
	if a.uploads == "" {
		log.Info("article uploads are off: neither UPLOADS_DIR nor DATA_DIR is set")
	}
	counts := &bot.SendCounts{}
	opts := chat.Options{
		Summarizer:         a.composer,
		Reload:             a.reload,
		OnReload:           m.Reload,
		Stats:              a.index.Stats,
		Sends:              counts.Load,
		UploadsDir:         a.uploads,
		MaxUploadBytes:     cfg.MaxUploadBytes,
		MaxArticleBytes:    cfg.MaxArticleBytes,
		MaxQuestionChars:   cfg.MaxQuestionChars,
		QuestionsPerMinute: cfg.UserQuestionsPerMin,
		QuestionBurst:      cfg.UserQuestionBurst,
	}
	if a.feeds != nil {
		opts.Feeds = feedsAdmin{a: a, shared: shared}
	}
	if digests != nil {
		opts.Digests = digests
	}
	if shared != nil {
		// Every replica shares the limits, the memory behind /sources and
		// the reloads (the others sync when one does).
		opts.Reload = shared.announcing(a.reload)
		if cfg.UserQuestionsPerMin > 0 {
			opts.Limiter = pgLimiter{lim: pgstate.NewRateLimiter(shared.db, "questions", cfg.UserQuestionsPerMin, cfg.UserQuestionBurst), log: shared.quiet}
		}
		opts.Memory = newPgMemory(shared.db, shared.quiet)
	}
	if a.channels != nil { // a nil *channel.Store would be a non-nil interface
		opts.Channels = a.channels
	}
	c := chat.New(a.composer, log, opts)
	bopts := bot.Options{
		Counts:        counts,
		Token:         cfg.TelegramBotToken,
		APIEndpoint:   cfg.TelegramAPIEndpoint,
		HTTPClient:    &http.Client{Timeout: 2 * time.Minute},
		PollTimeout:   cfg.TelegramPollTimeout,
		Workers:       cfg.Workers,
		UpdateTimeout: cfg.UpdateTimeout,
		// The reply outbox and shutdown (issue 10).
		DeliveryTimeout: cfg.DeliveryTimeout,
		ShutdownGrace:   cfg.ShutdownGrace,
		Metrics:         m,
		Admins:          cfg.AdminUserIDs,
		AllowedChats:    cfg.AllowedChatIDs,
		Webhook: bot.Webhook{
			URL:    cfg.WebhookURL,
			Secret: cfg.WebhookSecret,
			Listen: cfg.WebhookListen,
		},
	}
	if a.channels != nil {
		bopts.Channels = a.channels
	}
	if shared != nil {
		bopts.Pacer = shared.pacer
		if cfg.WebhookURL != "" {
			bopts.Inbox = pgInbox{shared.inbox}
		}
	}
	return bot.New(api, self, c, log, bopts), nil
}

// startBackoff is the wait between getMe attempts at start: doubling from
// min up to max.
var startBackoff = struct{ min, max time.Duration }{time.Second, 30 * time.Second}

// connect makes the Bot API client, whose constructor calls getMe, and
// retries until it succeeds or ctx is done. A 401 is retried too (at the
// same pace, logged as an error): khabar stays up with /healthz failing,
// so that the container is reported unhealthy instead of crash-looping.
func connect(ctx context.Context, cfg Config, client *http.Client, log *slog.Logger) (*tgbotapi.BotAPI, error) {
	wait := startBackoff.min
	for attempt := 1; ; attempt++ {
		api, err := tgbotapi.NewBotAPIWithClient(cfg.TelegramBotToken, cfg.TelegramAPIEndpoint, client)
		if err == nil {
			if attempt > 1 {
				log.Info("telegram reachable", "attempts", attempt)
			}
			return api, nil
		}
		var te *tgbotapi.Error
		rejected := errors.As(err, &te) && te.Code == http.StatusUnauthorized
		err = bot.RedactToken(err, cfg.TelegramBotToken)
		if rejected {
			log.Error("Telegram rejected the bot token (401): set a valid TELEGRAM_BOT_TOKEN; /healthz fails until it is accepted", "attempt", attempt, "retry_in", wait)
		} else {
			log.Warn("telegram getMe failed; retrying", "attempt", attempt, "retry_in", wait, "endpoint", endpointHost(cfg.TelegramAPIEndpoint), "err", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("telegram getMe: %w (last: %w)", ctx.Err(), err)
		case <-t.C:
		}
		wait = min(2*wait, startBackoff.max)
	}
}

// errTokenRejected is what /healthz reports after the Bot API answered 401.
var errTokenRejected = errors.New("telegram rejected the bot token (401 Unauthorized)")

// tokenWatch sees every Bot API answer: a 401 means the token is revoked
// or wrong, and health fails until a call succeeds again.
type tokenWatch struct{ rejected atomic.Bool }

// err is the health of the token: errTokenRejected after a 401.
func (w *tokenWatch) err() error {
	if w.rejected.Load() {
		return errTokenRejected
	}
	return nil
}

func (w *tokenWatch) transport(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if err == nil {
			switch {
			case resp.StatusCode == http.StatusUnauthorized:
				w.rejected.Store(true)
			case resp.StatusCode < 300:
				w.rejected.Store(false)
			}
		}
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// endpointHost names the Bot API server for the log, without the token.
func endpointHost(endpoint string) string {
	u, err := url.Parse(strings.ReplaceAll(endpoint, "%s", "x"))
	if err != nil {
		return "?"
	}
	return u.Host
}
