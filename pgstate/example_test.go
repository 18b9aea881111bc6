package pgstate_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/khabar/khabar/digest"
	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/pgstate"
)

// How serve wires STATE_BACKEND=postgres (a sketch; compiled, not run).
func Example() {
	ctx := context.Background()
	log := slog.Default()
	db, err := pgstate.Open(ctx, os.Getenv("DATABASE_URL"), pgstate.Options{})
	if err != nil {
		log.Error("shared state unavailable", "err", err) // the error quotes no password
		return
	}
	defer db.Close()
	go db.RunSweeper(ctx, 5*time.Minute, log)

	// Digests: digest.db imported once, then the scheduler runs on the
	// leader only.
	subs := pgstate.NewDigests(db)
	if res, err := subs.ImportBolt(ctx, filepath.Join("data", "digest.db")); err != nil {
		log.Error("digest.db not imported", "err", err)
	} else if res.Imported > 0 {
		log.Info("digest.db imported", "subscriptions", res.Imported)
	}
	var send digest.Sender // digestSender(composer, bot, subs, …)
	sched := digest.NewScheduler(subs, send, time.Now, persian.Tehran(), log)
	leader := pgstate.NewLeader(db, "digest", log)
	go leader.Run(ctx, func(ctx context.Context) { sched.Run(ctx, 30*time.Second) })

	// Per-user limits, memory, reload.
	limit := pgstate.NewRateLimiter(db, "questions", 6, 3)
	_, _ = limit.Allow(ctx, 12345)
	reload := pgstate.NewReload(db, log)
	_ = reload.Baseline(ctx) // before the replica's first index sync
	go reload.WatchReload(ctx, func(version string) { /* a.reload(ctx) */ })

	// Webhook replicas: store, answer 200, handle from the inbox.
	host, _ := os.Hostname()
	inbox := pgstate.NewInbox(db, host+"-"+time.Now().Format("150405.000"), log)
	http.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		var u struct {
			ID int64 `json:"update_id"`
		}
		body := []byte("{}") // the request body, read with a limit
		if json.Unmarshal(body, &u) != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if _, err := inbox.Put(r.Context(), pgstate.Update{ID: u.ID, ChatID: 0 /* chatKey(update) */, Payload: body}); err != nil {
			http.Error(w, "not stored", http.StatusInternalServerError) // Telegram delivers it again
			return
		}
	})
	go inbox.Run(ctx, 8, func(ctx context.Context, u pgstate.Update) { /* decode, bot.handle */ })
}
