// Package chat is khabar's conversation, without any transport: what a
// message means and what the reply says.
//
// [Chat.Handle] takes a [Message] already known to be meant for the bot
// and returns a [Reply]: an answer with its sources, a summary, the
// passages of /sources, or plain text, all as answer's blocks
// ([answer.Block]) that each transport renders — Telegram in HTML (package
// bot), the console (`khabar chat`) in plain text through
// [Reply.PlainText] — so the two cannot drift apart. A Reply's Then is slow
// work (a reload) whose reply replaces the first one.
//
// One command table ([Commands], plus [Options.Extra]) holds each
// command's name, Persian description and help line, whether it is for
// admins, and its handler: Handle runs it, the transport builds its
// command menus from [Chat.Commands], /help lists it, and
// [Chat.MeantForMe], the rule for which group messages are for the bot,
// takes it unaddressed. Adding a command is one row and its Persian
// strings (messages.go).
//
// The commands: /ask and plain questions (every reply within a per-sender
// limit, [Limiter]), /sources (the chat's last answer, kept by a
// [Memory]), /summary, /digest (a chat's daily digest, set by its
// admins, kept by [Digests]), /help and /start, and for the bot's admins
// /reload, /stats, /feeds and /channels, and article uploads
// ([Chat.CheckUpload], [Chat.AddFile]). The in-memory Limiter and Memory
// are the defaults; a store can replace them through [Options].
//
// It imports answer (the answers and their blocks), corpus (upload
// parsing and problems), retrieval (sync reports and stats), digest
// (subscription times), corpus/feed and corpus/channel (for /feeds and
// /channels), persian and internal/idlemap; it knows nothing of Telegram
// (no tgbotapi, no HTML).
// Only bot and main import it.
package chat
