package retrieval

import (
	"context"
	"testing"
	"unsafe"
)

// TestCollectionHoldsNoCopies: the chromem-go documents share the chunk
// texts and carry no metadata (nothing reads it back: the chunks are the
// record; a per-chunk map of formatted strings was ~28 MB of the warm
// start on hamshahri+farsnews, copied once more by chromem-go).
func TestCollectionHoldsNoCopies(t *testing.T) {
	ix := newTestIndex(t, newCounting(), t.TempDir())
	mustSync(t, ix, testCorpus())
	st := ix.cur.Load()
	if st.coll.Count() != len(st.chunks) {
		t.Fatalf("collection holds %d documents for %d chunks", st.coll.Count(), len(st.chunks))
	}
	for i, c := range st.chunks {
		doc, err := st.coll.GetByID(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Metadata) != 0 {
			t.Errorf("chunk %s: metadata %v, want none", c.ID, doc.Metadata)
		}
		if doc.Content != c.Text || unsafe.StringData(doc.Content) != unsafe.StringData(c.Text) {
			t.Errorf("chunk %s: content is a copy of the chunk's text", c.ID)
		}
		if len(doc.Embedding) != st.vecs.dim || doc.Embedding[0] != st.vecs.row(i)[0] {
			t.Errorf("chunk %s: embedding is not row %d", c.ID, i)
		}
	}
}
