// Package openaitest provides an in-process fake of an OpenAI-compatible
// HTTP API for tests.
//
// The fake is an [httptest.Server] that serves
//
//   - POST /v1/embeddings: one embedding per input, in input order;
//   - POST /v1/chat/completions: a plain chat completion, or, when the
//     request has "stream": true, a server-sent-event stream of small chunks
//     terminated by "data: [DONE]".
//
// It is meant to be driven by the real github.com/sashabaranov/go-openai
// client, so that tests exercise the same encoding and decoding as
// production:
//
//	fake := openaitest.New(t, openaitest.Options{APIKey: "test-key"})
//	client := openai.NewClientWithConfig(fake.ClientConfig())
//
// or, equivalently,
//
//	cfg := openai.DefaultConfig("test-key")
//	cfg.BaseURL = fake.BaseURL()
//	client := openai.NewClientWithConfig(cfg)
//
// Responses are encoded with go-openai's own types, so their wire format is
// what the client decodes. Every request, including failed ones, is recorded
// (see [Server.Requests], [Server.ChatRequests] and
// [Server.EmbeddingRequests]), and the next requests to a path can be scripted
// to fail in various ways (see [Server.FailNext] and [Failure]).
//
// The server listens on a loopback address only; nothing reaches the
// internet. It is closed automatically when the test finishes.
package openaitest
