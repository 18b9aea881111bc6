// Package bot is khabar's chat behaviour and its Telegram transport.
//
// [Chat] is what a message means and what the reply says: commands,
// questions (every reply within a per-sender limit), /sources, /summary, /digest (a chat's
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
// Telegram's conventions that the pinned tgbotapi (v5.5.1) predates are
// read from the raw update and sent with MakeRequest (wire.go): forum
// topics (every send of a conversation goes to its dest: chat, topic and
// the message it replies to), anonymous admins and messages sent as a
// channel, groups upgraded to supergroups (replies, digests and the
// allow-list follow the new id), and captions read as text.
//
// It imports answer, retrieval (for reports and upload validation),
// digest (subscriptions and their times) and persian; it knows
// nothing of embeddings or chromem-go, and nothing imports it but main.
package bot
