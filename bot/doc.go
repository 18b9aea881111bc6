// Package bot is khabar's chat behaviour and its Telegram transport.
//
// [Chat] is what a message means and what the reply says: commands,
// questions (with a per-user limit), /sources, /summary, /digest (a chat's
// daily digest, set by its admins), the admin commands /reload and /stats,
// and article uploads. The console chat (`khabar chat`) and Telegram drive
// the same Chat, so the two cannot drift apart.
//
// [Bot] carries a Chat over the Bot API (go-telegram-bot-api v5): its own
// context-aware long-poll loop or a webhook with a secret token, a fixed
// pool of workers that keeps each chat's updates in order, group etiquette
// (commands, replies and mentions only), "typing…" and streamed answers,
// HTML formatting split under Telegram's limit, per-chat send pacing and
// retry_after, and a graceful shutdown that finishes the answers being
// written. [Bot.SendDigest] delivers a daily digest through the same path.
//
// It imports answer, retrieval (for reports and upload validation),
// internal/digest (subscriptions and their times) and persian; it knows
// nothing of embeddings or chromem-go, and nothing imports it but main.
package bot
