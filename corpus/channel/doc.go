// Package channel turns the posts of Telegram channels into articles and
// keeps them: one .jsonl file per channel, in the corpus .jsonl article
// format, written atomically under a directory of DATA_DIR, so that a
// restart keeps them. [Store.Source] is the store as a corpus.Source: the
// posts of the channels that count, as the articles the corpus loader
// would read from their files.
//
// It knows nothing of Telegram's wire format: the transport converts a
// channel_post or edited_channel_post update into a [Post], and a
// my_chat_member update about the bot in a channel into [Store.SetAdmin].
//
// Which channels count: every channel the bot administers (a post from a
// channel proves it, since Telegram delivers channel posts only to its
// administrators), or, when [Options.Only] is set (SOURCE_CHANNEL_IDS),
// only those of them. The posts of a channel that stops counting (the bot
// was removed, or the channel left SOURCE_CHANNEL_IDS) are kept aside in a
// file the loader does not read, and come back when it counts again.
//
// An article: outlet = the channel's title, url = https://t.me/<username>/<id>
// for a public channel (none for a private one), date = the post's date in
// Tehran time, text = the post's text or caption without lines that hold
// only links or @mentions (channel footers), title derived by the loader
// from the first sentence, id "telegram/<channel id>/<message id>". An edit
// replaces the article. A post of fewer than [DefaultMinWords] words (a
// link alone, a sticker, «فوری»), not counting links, mentions and
// hashtags, is skipped; an edit that makes a post that short removes it.
package channel
