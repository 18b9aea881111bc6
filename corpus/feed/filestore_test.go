package feed_test

import (
	"testing"

	"github.com/khabar/khabar/corpus/feed"
	"github.com/khabar/khabar/corpus/feed/feedtest"
)

// TestFileStoreContract runs the feed.Store contract on the folder store.
func TestFileStoreContract(t *testing.T) {
	feedtest.Run(t, func(t *testing.T) (feed.Store, func() feed.Store) {
		dir := t.TempDir()
		return feed.NewFileStore(dir, nil), func() feed.Store { return feed.NewFileStore(dir, nil) }
	})
}
