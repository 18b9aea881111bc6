package bot

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// poll receives updates by long polling until ctx is done. It removes any
// webhook first (getUpdates fails while one is set). Each update is
// queued once: the offset moves past an update only when it is queued,
// and on shutdown a last getUpdates confirms the offset to Telegram (it
// also ends the pending long poll, which Telegram terminates when a newer
// one arrives), so updates received but not queued come again at the
// next start and none comes twice.
func (b *Bot) poll(ctx context.Context, q *queue) error {
	if _, err := b.api.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		b.log.Warn("deleteWebhook failed", "err", b.redact(err))
	}
	b.log.Info("receiving updates by long polling", "timeout", b.opts.PollTimeout)
	b.ready.Store(true)
	offset := 0
	failures := 0
	for {
		if ctx.Err() != nil {
			b.confirm(offset)
			return nil
		}
		type result struct {
			updates []tgbotapi.Update
			err     error
		}
		done := make(chan result, 1)
		go func() {
			ups, err := b.getUpdates(tgbotapi.UpdateConfig{
				Offset:         offset,
				Limit:          100,
				Timeout:        int(b.opts.PollTimeout / time.Second),
				AllowedUpdates: allowedUpdates,
			})
			done <- result{ups, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-ctx.Done():
			// A newer getUpdates makes Telegram end the pending one. The
			// pending request may not have reached Telegram yet when the
			// first confirmation does, so confirm again until it ends.
			for range shutdownConfirms {
				b.confirm(offset)
				select {
				case <-done:
					return nil
				case <-time.After(time.Second):
				}
			}
			b.log.Warn("the last long poll did not end; leaving it to its HTTP timeout")
			return nil
		}
		b.ready.Store(true)
		if r.err != nil {
			b.opts.Metrics.TelegramError("getUpdates", r.err)
			b.ready.Store(false)
			failures++
			wait := b.backoff(failures, r.err)
			b.log.Warn("getUpdates failed", "err", b.redact(r.err), "retry_in", wait.Round(time.Millisecond))
			if !sleep(ctx, wait) {
				b.confirm(offset)
				return nil
			}
			continue
		}
		failures = 0
		for _, u := range r.updates {
			if u.UpdateID < offset {
				continue // already queued
			}
			if err := q.submit(ctx, u); err != nil {
				if errors.Is(err, errChatFlood) {
					b.log.Warn("update dropped: the chat has too many pending updates", "update", u.UpdateID, "chat", chatKey(u))
				} else {
					b.confirm(offset)
					return nil // shutting down: the rest comes again next time
				}
			}
			offset = u.UpdateID + 1
		}
	}
}

// shutdownConfirms bounds the confirmations sent at shutdown to end the
// pending long poll.
const shutdownConfirms = 5

// confirm tells Telegram that every update below offset was received
// (offset 0 confirms nothing), and ends a pending long poll.
func (b *Bot) confirm(offset int) {
	if _, err := b.api.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 1, Timeout: 0, AllowedUpdates: allowedUpdates}); err != nil {
		b.log.Warn("confirming the last updates failed; they may be delivered again", "err", b.redact(err))
	}
}

// backoff is the wait after the n-th consecutive failure: exponential
// from backoffMin to backoffMax with jitter, and never less than a 429's
// retry_after.
func (b *Bot) backoff(n int, err error) time.Duration {
	d := b.backoffMin << min(n-1, 16)
	if d > b.backoffMax || d <= 0 {
		d = b.backoffMax
	}
	d = d/2 + rand.N(d/2+1)
	if te, ok := apiError(err); ok {
		switch {
		case te.RetryAfter > 0:
			d = max(d, time.Duration(te.RetryAfter)*time.Second)
		case te.Code == http.StatusConflict:
			b.log.Error("getUpdates conflict: another instance polls with this token, or a webhook is set")
		case te.Code == http.StatusUnauthorized:
			b.log.Error("Telegram rejected the bot token")
		}
	}
	return d
}

// sleep waits d or until ctx is done; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// webhookSecretHeader carries the secret_token in Telegram's requests.
const webhookSecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxWebhookBody caps the size of one update.
const maxWebhookBody = 1 << 20

// serveWebhook registers the webhook with its secret and serves it on
// Options.Webhook.Listen until ctx is done.
func (b *Bot) serveWebhook(ctx context.Context, q *queue) error {
	wh := b.opts.Webhook
	if wh.Secret == "" {
		return errors.New("webhook: a secret token is required")
	}
	ln, err := net.Listen("tcp", wh.Listen)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	allowed, _ := json.Marshal(allowedUpdates)
	if _, err := b.api.MakeRequest("setWebhook", tgbotapi.Params{
		"url":             wh.URL,
		"secret_token":    wh.Secret,
		"allowed_updates": string(allowed),
		"max_connections": "40",
	}); err != nil {
		ln.Close()
		return fmt.Errorf("setWebhook: %w", b.redact(err))
	}
	b.incoming.Store(q)
	defer b.incoming.Store(nil)
	b.ready.Store(true)
	srv := &http.Server{Handler: b, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	b.log.Info("receiving updates by webhook", "listen", ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served:
		return fmt.Errorf("webhook server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		b.log.Warn("webhook server shutdown", "err", err)
	}
	<-served
	return nil
}

// ServeHTTP is the webhook endpoint. A request without the right secret
// token is refused with 401 before its body is read; a valid update is
// queued and acknowledged at once, and handled by the workers.
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !b.validSecret(r.Header.Get(webhookSecretHeader)) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	q := b.incoming.Load()
	if q == nil {
		http.Error(w, "not running", http.StatusServiceUnavailable)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	u, err := b.decodeUpdate(raw)
	if err != nil {
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	if !b.seen.add(u.UpdateID) {
		w.WriteHeader(http.StatusOK) // redelivered: already taken
		return
	}
	if err := q.submit(r.Context(), u); err != nil && !errors.Is(err, errChatFlood) {
		b.seen.remove(u.UpdateID) // Telegram will deliver it again
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// validSecret compares the header with the secret in constant time (over
// hashes, so that not even the length leaks).
func (b *Bot) validSecret(got string) bool {
	want := b.opts.Webhook.Secret
	if want == "" {
		return false
	}
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
