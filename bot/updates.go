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
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// poll receives updates by long polling until ctx is done. It removes any
// webhook first (getUpdates fails while one is set).
//
// The offset given to getUpdates confirms to Telegram every update below
// it, so it never passes an update that was not handled (see [pollState]):
// when the bot stops, or dies, with updates queued or being handled,
// Telegram delivers them again at the next start. The price is that while
// an update is handled, getUpdates returns it again (and the ones after
// it) at once instead of waiting: those are skipped, and the next poll
// waits repollEvery. An update that its chat's queue cannot take is left
// for a later poll in the same way. On shutdown a last getUpdates ends the
// pending long poll, which Telegram terminates when a newer one arrives;
// Run confirms the handled updates once the workers are done.
func (b *Bot) poll(ctx, abandon context.Context, q *queue, st *pollState) error {
	if _, err := b.api.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		b.log.Warn("deleteWebhook failed", "err", b.redact(err))
	}
	b.log.Info("receiving updates by long polling", "timeout", b.opts.PollTimeout)
	b.ready.Store(true)
	failures := 0
	for {
		if ctx.Err() != nil {
			return nil
		}
		type result struct {
			updates []tgbotapi.Update
			err     error
		}
		done := make(chan result, 1)
		offset := st.offset()
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
				b.confirm(st.offset())
				select {
				case <-done:
					return nil
				case <-time.After(time.Second):
				case <-abandon.Done():
					b.log.Warn("the last long poll did not end within the shutdown grace; leaving it to its HTTP timeout")
					return nil
				}
			}
			b.log.Warn("the last long poll did not end; leaving it to its HTTP timeout")
			return nil
		}
		b.ready.Store(true)
		if r.err != nil {
			b.opts.Metrics.TelegramError("getUpdates", errorCode(r.err))
			b.ready.Store(false)
			failures++
			wait := b.backoff(failures, r.err)
			b.log.Warn("getUpdates failed", "err", b.redact(r.err), "retry_in", wait.Round(time.Millisecond))
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		failures = 0
		st.newBatch()
		progress := false
		full := map[int64]bool{} // chats whose queue refused an update of this batch
		for _, u := range r.updates {
			if !st.take(u.UpdateID) {
				continue // queued or handled already
			}
			key := chatKey(u)
			if full[key] {
				st.refuse(u.UpdateID) // keeps the chat's order
				continue
			}
			switch err := q.submit(ctx, u); {
			case err == nil:
				progress = true
			case errors.Is(err, errChatFlood):
				full[key] = true
				if st.refuse(u.UpdateID) {
					b.log.Warn("update postponed: the chat has too many pending updates", "update", u.UpdateID, "chat", key)
				}
			default:
				st.refuse(u.UpdateID)
				return nil // shutting down: it comes again next time
			}
		}
		if !progress && len(r.updates) > 0 && !sleep(ctx, repollEvery) {
			return nil
		}
	}
}

// repollEvery is the pause before polling again after a getUpdates that
// returned only updates already taken (or refused).
const repollEvery = 200 * time.Millisecond

// pollState tracks the updates taken by long polling until they are
// handled, so that the offset confirmed to Telegram stays at the lowest
// update not handled.
type pollState struct {
	mu      sync.Mutex
	taken   map[int]bool // update id → handled, for ids at or above the last offset
	next    int          // one past the highest id taken
	refused int          // the lowest id refused in the last batch, 0 if none
	warned  map[int]bool // refused ids already logged
}

func newPollState() *pollState {
	return &pollState{taken: map[int]bool{}, warned: map[int]bool{}}
}

// take records id as taken and reports whether it was new.
func (s *pollState) take(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.taken[id]; ok {
		return false
	}
	s.taken[id] = false
	s.next = max(s.next, id+1)
	return true
}

// refuse forgets id, taken but not queued, so that it is not confirmed
// and comes again. It reports whether id was refused for the first time.
func (s *pollState) refuse(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.taken, id)
	if s.refused == 0 || id < s.refused {
		s.refused = id
	}
	first := !s.warned[id]
	s.warned[id] = true
	return first
}

// newBatch starts a getUpdates result: the refusals of the previous one
// are in it again.
func (s *pollState) newBatch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused = 0
}

// done records that the update id was handled.
func (s *pollState) done(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.taken[id]; ok {
		s.taken[id] = true
	}
}

// offset returns the lowest update id not handled (0 before the first
// update), which is the offset to confirm, and forgets the handled ids
// below it.
func (s *pollState) offset() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	lowest := s.next
	if s.refused != 0 && s.refused < lowest {
		lowest = s.refused
	}
	for id, handled := range s.taken {
		if !handled && id < lowest {
			lowest = id
		}
	}
	for id, handled := range s.taken {
		if handled && id < lowest {
			delete(s.taken, id)
		}
	}
	for id := range s.warned {
		if id < lowest {
			delete(s.warned, id)
		}
	}
	return lowest
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
// Options.Webhook.Listen until ctx is done; then it refuses new updates
// (503, so that Telegram keeps them) and waits for the requests being
// served, until abandon is done.
func (b *Bot) serveWebhook(ctx, abandon context.Context, q *queue) error {
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
	b.incoming.Store(nil)
	if err := srv.Shutdown(abandon); err != nil {
		b.log.Warn("webhook server shutdown", "err", err)
		srv.Close()
	}
	<-served
	return nil
}

// ServeHTTP is the webhook endpoint. A request without the right secret
// token is refused with 401 before its body is read; a valid update is
// queued and acknowledged at once, and handled by the workers. An update
// that cannot be queued (its chat has too many waiting: 429; the queue is
// full or the bot is stopping: 503) is refused, so that Telegram delivers
// it again.
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
	if in := b.opts.Inbox; in != nil {
		b.serveInbox(w, r, in, raw)
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
	// An update that cannot be queued is refused, so that Telegram delivers
	// it again later, and forgotten, so that it is then taken.
	switch err := q.trySubmit(u); {
	case err == nil:
		w.WriteHeader(http.StatusOK)
	case errors.Is(err, errChatFlood):
		b.seen.remove(u.UpdateID)
		b.log.Warn("update refused: the chat has too many pending updates", "update", u.UpdateID, "chat", chatKey(u))
		http.Error(w, "too many pending updates in this chat", http.StatusTooManyRequests)
	case errors.Is(err, errQueueFull):
		b.seen.remove(u.UpdateID)
		b.log.Warn("update refused: the update queue is full", "update", u.UpdateID, "chat", chatKey(u))
		http.Error(w, "busy", http.StatusServiceUnavailable)
	default:
		b.seen.remove(u.UpdateID)
		b.log.Info("update refused: shutting down", "update", u.UpdateID, "chat", chatKey(u))
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
	}
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
