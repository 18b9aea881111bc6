package retrieval

import "context"

// embeddingsAPI is the part of an OpenAI-compatible client the embedder
// needs; *llm.Client satisfies it.
type embeddingsAPI interface {
	Embed(ctx context.Context, model string, texts []string) ([][]float32, error)
}

// OpenAIEmbedder embeds through an OpenAI-compatible /v1/embeddings API
// (OpenAI, Ollama, vLLM, LocalAI, llama.cpp server). Retries and time
// limits are the client's; the index normalises the vectors.
type OpenAIEmbedder struct {
	api   embeddingsAPI
	model string
}

// NewOpenAIEmbedder returns an embedder using model through api.
func NewOpenAIEmbedder(api embeddingsAPI, model string) *OpenAIEmbedder {
	return &OpenAIEmbedder{api: api, model: model}
}

// Identity names the model, so that switching models rebuilds the index.
func (e *OpenAIEmbedder) Identity() string { return "openai/" + e.model }

// Embed embeds texts in one request.
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return e.api.Embed(ctx, e.model, texts)
}
