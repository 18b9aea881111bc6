// Package llm is khabar's client of an OpenAI-compatible API (OpenAI,
// Ollama, vLLM, LocalAI, llama.cpp server, OpenRouter) through go-openai:
// embeddings and chat completions, plain and streamed, with a time limit per
// request, bounded retries with backoff on 429, 5xx, timeouts and empty or
// malformed replies, Retry-After honoured, and errors that never carry the
// API key.
//
// It is a leaf: retrieval uses it for embeddings, answer for chat.
package llm
