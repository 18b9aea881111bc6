// Package bot is khabar's Telegram transport: it carries a [chat.Chat]
// over the Bot API (go-telegram-bot-api v5).
//
// [Bot] receives updates by its own context-aware long-poll loop or a
// webhook with a secret token, and hands a fixed pool of workers that
// keeps each chat's updates in order. It reads from each update what the
// chat's rule ([chat.Chat.MeantForMe]) needs to decide whether a message
// is for the bot (a command's "@target", replies, mentions through the
// entities), shows "typing…" and streamed answers, renders the chat's
// reply blocks in HTML split under Telegram's limit (format.go,
// split.go), and delivers them with per-chat send pacing and retry_after
// through an outbox that retries without holding a worker, with a
// graceful shutdown that finishes the answers being written. It
// publishes the chat's command table with setMyCommands, downloads
// uploaded files for [chat.Chat.AddFile], keeps channel posts as articles
// (channel.go) and delivers daily digests ([Bot.SendDigest]) through the
// same send path.
//
// Telegram's conventions that the pinned tgbotapi (v5.5.1) predates are
// read from the raw update and sent with MakeRequest (wire.go): forum
// topics (every send of a conversation goes to its dest: chat, topic and
// the message it replies to), anonymous admins and messages sent as a
// channel, groups upgraded to supergroups (replies, digests and the
// allow-list follow the new id), and captions read as text.
//
// Several replicas behind one webhook (shared.go): with Options.Inbox the
// webhook stores each update in a shared inbox and the workers take them
// from it, one replica at a time per chat and in order, each update done
// once its replies have left the outbox; with Options.Pacer every send
// also takes its slot in lanes shared by all replicas. Both are small
// interfaces declared here, implemented over PostgreSQL by pgstate and
// wired by main, so that the bot stays a transport with no database.
//
// It imports chat (the conversation), answer (the blocks it renders),
// corpus/channel (channel posts), digest (its send errors), persian and
// internal/idlemap; it knows
// nothing of embeddings or chromem-go, and nothing imports it but main.
package bot
