package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/bot"
	"github.com/khabar/khabar/internal/metrics"
)

// errNoToken is returned by serve without TELEGRAM_BOT_TOKEN.
var errNoToken = errors.New("TELEGRAM_BOT_TOKEN is not set")

// cmdServe runs the Telegram bot until ctx is done: it loads and syncs the
// index, checks the token with getMe, and serves updates by long polling
// or, with WEBHOOK_URL, by webhook.
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
	// The ops listener starts first, so that /healthz answers during a
	// long first sync; /readyz waits for the bot.
	var running atomic.Pointer[bot.Bot]
	if cfg.OpsListen != "" {
		octx, stop := context.WithCancel(ctx)
		ready := func() bool { b := running.Load(); return b != nil && b.Ready() }
		wait, err := serveOps(octx, cfg.OpsListen, opsHandler(m, ready), log)
		if err != nil {
			stop()
			return err
		}
		defer func() { stop(); wait() }()
	}
	if _, err := a.open(ctx); err != nil {
		return err
	}
	b, err := newBot(cfg, log, a, m)
	if err != nil {
		return err
	}
	running.Store(b)
	return b.Run(ctx)
}

// newBot connects to the Bot API and wires the bot to the app; the bot
// reports to m (serve it on an ops listener, with b.Ready for readiness).
func newBot(cfg Config, log *slog.Logger, a *app, m *metrics.Metrics) (*bot.Bot, error) {
	// tgbotapi has no context: the client's timeout, just above the long
	// poll, is what ends a request.
	client := &http.Client{Timeout: cfg.TelegramPollTimeout + 15*time.Second}
	api, err := tgbotapi.NewBotAPIWithClient(cfg.TelegramBotToken, cfg.TelegramAPIEndpoint, client)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", redactToken(err, cfg.TelegramBotToken))
	}
	self, err := api.GetMe()
	if err != nil {
		return nil, fmt.Errorf("telegram getMe: %w", redactToken(err, cfg.TelegramBotToken))
	}
	log.Info("telegram bot", "username", self.UserName, "id", self.ID, "endpoint", endpointHost(cfg.TelegramAPIEndpoint))

	// Uploads are saved into SEEDS_DIR, which must be a real folder (not
	// the seeds built into the binary).
	seeds := ""
	if fi, err := os.Stat(cfg.SeedsDir); err == nil && fi.IsDir() {
		seeds = cfg.SeedsDir
	} else {
		log.Info("article uploads are off: SEEDS_DIR is not a folder", "seeds_dir", cfg.SeedsDir)
	}
	chat := bot.NewChat(a.composer, log, bot.ChatOptions{
		Summarizer:         a.composer,
		Reload:             a.reload,
		Stats:              a.index.Stats,
		SeedsDir:           seeds,
		MaxUploadBytes:     cfg.MaxUploadBytes,
		MaxArticleBytes:    cfg.MaxArticleBytes,
		MaxQuestionChars:   cfg.MaxQuestionChars,
		QuestionsPerMinute: cfg.UserQuestionsPerMin,
		QuestionBurst:      cfg.UserQuestionBurst,
	})
	return bot.New(api, self, chat, log, bot.Options{
		Token:         cfg.TelegramBotToken,
		APIEndpoint:   cfg.TelegramAPIEndpoint,
		HTTPClient:    &http.Client{Timeout: 2 * time.Minute},
		PollTimeout:   cfg.TelegramPollTimeout,
		Workers:       cfg.Workers,
		UpdateTimeout: cfg.UpdateTimeout,
		Metrics:       m,
		Admins:        cfg.AdminUserIDs,
		AllowedChats:  cfg.AllowedChatIDs,
		Webhook: bot.Webhook{
			URL:    cfg.WebhookURL,
			Secret: cfg.WebhookSecret,
			Listen: cfg.WebhookListen,
		},
	}), nil
}

// redactToken removes the token from an error: the HTTP client quotes the
// request URL, which contains it.
func redactToken(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "<token>"))
}

// endpointHost names the Bot API server for the log, without the token.
func endpointHost(endpoint string) string {
	u, err := url.Parse(strings.ReplaceAll(endpoint, "%s", "x"))
	if err != nil {
		return "?"
	}
	return u.Host
}
