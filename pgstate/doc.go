// Package pgstate keeps khabar's shared state in PostgreSQL
// (STATE_BACKEND=postgres, DATABASE_URL), so that several replicas serve
// one bot: everything a replica would otherwise keep in process or in
// DATA_DIR, and that the others must see.
//
// It owns, through github.com/jackc/pgx/v5 (a pgxpool.Pool, plus dedicated
// connections for the leader lock and LISTEN):
//   - the schema: migrations/NNN_*.sql embedded in the binary and applied
//     in order at [Open], under an advisory lock, recorded in
//     schema_migrations ([Migrate]);
//   - [Digests]: the daily digest subscriptions, replacing digest.db (the
//     /digest command's interface and [digest.Subscriptions], the
//     scheduler's), with a (chat, day) claim row so that no digest goes
//     out twice, and [Digests.ImportBolt], the one-time import of
//     digest.db;
//   - [Leader]: which replica runs the digest scheduler (a session
//     advisory lock; another replica takes over within seconds);
//   - [RateLimiter]: the per-user question limit, a token bucket updated
//     in one UPSERT … RETURNING;
//   - [Memory]: per-chat conversation memory as JSON with an expiry;
//   - [Feeds]: admin-added feeds and every feed's fetch state and articles
//     (a [feed.Store], the persistence a corpus/feed Poller keeps in files
//     by default, and the corpus's [feed.ArticleLister]); the replica
//     leading "feeds" polls into it;
//   - [Reload]: the "new index version" signal over NOTIFY/LISTEN;
//   - [Inbox] and [Pacer]: webhook updates shared by the replicas, each
//     chat handled by one replica at a time in update_id order, and the
//     send pacing of all replicas together.
//
// # Several webhook replicas: pace through PostgreSQL, not routing
//
// Telegram posts every update of the bot to one URL, and a load balancer
// in front of the replicas sees HTTP requests, not chats: routing a chat
// to "its" replica would need a proxy that parses the update (and a
// rebalancing story when a replica dies or one is added). So any replica
// takes any update, and the order and the pacing are kept in PostgreSQL:
//
//   - the webhook handler stores the update in the inbox ([Inbox.Put]) and
//     answers 200 only once it is stored (an error answers 500, and
//     Telegram delivers it again); the update_id primary key takes a
//     redelivery once;
//   - workers on every replica claim a chat (a chat_claims row with a
//     lease, which two replicas cannot both hold) and handle its pending
//     updates in update_id order; a dead replica's lease runs out and
//     another takes the chat over;
//   - every send, on any replica, takes a slot in the chat's lane (a
//     second apart in a private chat, three in a group: twenty a minute)
//     and then in the global lane (thirty per 1.25 s, the in-process
//     pacer's margin), rows whose next free time is moved in one UPSERT;
//     a 429's retry_after holds the chat on every replica ([Pacer.Hold]).
//
// The cost is a few queries per update and per message (milliseconds on a
// nearby server), small beside an answer's retrieval and Telegram's own
// round trip; in exchange no replica is special, and any can be stopped.
//
// # Tests
//
// The tests are integration tests against a real server: they skip, with
// a message saying how to start one, when DATABASE_URL is unset. Each test
// works in a schema of its own (tables, advisory locks and notification
// channels are scoped to the schema), so they run in parallel and again on
// one cluster:
//
//	eval "$(scripts/postgres.sh start)"   # initdb + pg_ctl on 127.0.0.1, a free port
//	go test ./pgstate/
//	scripts/postgres.sh stop
//
// It must not import bot, chat, answer, retrieval or package main: it
// implements the interfaces its consumers declare (it imports digest and
// corpus/feed only for their types).
package pgstate
