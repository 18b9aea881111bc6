package retrieval

import (
	"context"
	"math"
	"testing"
)

func cosine(a, b []float32) float64 {
	return float64(dot(a, b))
}

func TestLocalEmbedder(t *testing.T) {
	e := NewLocalEmbedder(256)
	vs, err := e.Embed(context.Background(), []string{
		"وزیر دفاع عراق درباره روابط با آمریکا سخن گفت",
		"وزير دفاع عراق درباره روابط با آمريكا سخن گفت", // Arabic letters
		"قیمت دلار در بازار تهران کاهش یافت",
		"",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 4 {
		t.Fatalf("got %d vectors, want 4", len(vs))
	}
	for i, v := range vs[:3] {
		if len(v) != 256 {
			t.Errorf("vector %d: got %d dims, want 256", i, len(v))
		}
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		if math.Abs(n-1) > 1e-5 {
			t.Errorf("vector %d: squared norm %v, want 1", i, n)
		}
	}
	if got := cosine(vs[0], vs[1]); got < 0.999 {
		t.Errorf("Arabic and Persian spellings: cosine %v, want ~1", got)
	}
	if same, other := cosine(vs[0], vs[1]), cosine(vs[0], vs[2]); other >= same || other > 0.5 {
		t.Errorf("unrelated text: cosine %v, want well below %v", other, same)
	}
	for _, x := range vs[3] {
		if x != 0 {
			t.Fatalf("empty text: got a non-zero vector")
		}
	}
}

func TestLocalEmbedderDeterministic(t *testing.T) {
	a, _ := NewLocalEmbedder(128).Embed(context.Background(), []string{"خبر فوری از تهران"})
	b, _ := NewLocalEmbedder(128).Embed(context.Background(), []string{"خبر فوری از تهران"})
	for i := range a[0] {
		if a[0][i] != b[0][i] {
			t.Fatalf("dimension %d differs: %v vs %v", i, a[0][i], b[0][i])
		}
	}
	// Pin one value so that a change to the features (which must bump
	// localVersion) cannot go unnoticed.
	if id := NewLocalEmbedder(128).Identity(); id != "local/v3/dim=128/ngram=3-4/w=0.60" {
		t.Errorf("identity %q: if the features changed, bump localVersion and this test", id)
	}
}

func TestLocalEmbedderCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewLocalEmbedder(0).Embed(ctx, []string{"a"}); err == nil {
		t.Error("got no error from a cancelled context")
	}
}
