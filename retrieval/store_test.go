package retrieval_test

import (
	"testing"

	"github.com/khabar/khabar/retrieval"
	"github.com/khabar/khabar/retrieval/retrievaltest"
)

// TestIndexStore runs the Store contract on the in-process index, in
// memory and with a snapshot directory.
func TestIndexStore(t *testing.T) {
	for name, dir := range map[string]bool{"memory": false, "snapshot": true} {
		t.Run(name, func(t *testing.T) {
			retrievaltest.Run(t, func(t *testing.T, d retrievaltest.Deps) retrieval.Store {
				opts := retrieval.Options{Now: d.Now}
				if dir {
					opts.Dir = t.TempDir()
				}
				return retrieval.New(d.Embedder, d.Identity, opts)
			})
		})
	}
}
