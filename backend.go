package main

import (
	"fmt"
	"log/slog"

	"github.com/khabar/khabar/retrieval"
	"github.com/khabar/khabar/retrieval/weaviate"
)

// Index backends (INDEX_BACKEND).
const (
	backendInProcess = "in-process"
	backendWeaviate  = "weaviate"
)

// openWeaviate returns the Weaviate index backend of the configuration,
// its collections named from prefix ("" for the default, Khabar). It does
// not contact Weaviate.
func openWeaviate(cfg Config, emb retrieval.Embedder, identity, prefix string, log *slog.Logger) (*weaviate.Store, error) {
	if cfg.WeaviateURL == "" {
		return nil, fmt.Errorf("%w: the weaviate backend needs WEAVIATE_URL", errUsage)
	}
	return weaviate.Open(emb, identity, weaviate.Options{
		URL:      cfg.WeaviateURL,
		APIKey:   cfg.WeaviateAPIKey,
		Prefix:   prefix,
		Shards:   cfg.WeaviateShards,
		Replicas: cfg.WeaviateReplicas,
		Timeout:  cfg.WeaviateTimeout,
		Chunk:    retrieval.ChunkOptions{TargetWords: cfg.ChunkWords, MaxWords: cfg.ChunkMaxWords, Overlap: cfg.ChunkOverlap},
		Log:      log,
	})
}
