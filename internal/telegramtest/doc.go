// Package telegramtest is an in-process fake of the Telegram Bot API for
// tests. The real tgbotapi client talks to it over HTTP on the loopback
// interface, so no test reaches the internet:
//
//	fake := telegramtest.New(t, telegramtest.Options{})
//	bot, err := tgbotapi.NewBotAPIWithClient(fake.Token(), fake.APIEndpoint(), fake.Client())
//
// or simply bot := fake.Bot(t). Tests push incoming updates (Push,
// PushText), which the bot receives through getUpdates (long polling
// included), and inspect what the bot did through Messages, Calls, Commands
// and Webhook, optionally waiting with WaitMessages and WaitCalls. FailNext
// scripts errors, flood waits, slow answers and dropped connections.
//
// Text sent with parse_mode HTML is validated as Telegram does (see
// ValidateHTML); invalid text is rejected with the same 400 error the real
// API gives, so formatting bugs fail tests instead of production sends.
package telegramtest
