// Package bot is khabar's chat behaviour and its Telegram transport: what a
// message means (a question, a command, chatter to ignore), what the reply
// says, and how it reaches the chat. The console chat (`khabar chat`) and
// Telegram drive the same [Chat], so the two cannot drift apart.
//
// It imports answer and persian; it knows nothing of embeddings or
// chromem-go, and nothing imports it but main.
package bot
