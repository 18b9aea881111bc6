package weaviate

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/khabar/khabar/retrieval"
)

// TestClusterSurvivesANode runs from scripts/cluster-test.sh only: on a
// two-node Weaviate (WEAVIATE_URL is node 1), it indexes with replication
// factor 2, kills node 2 (WEAVIATE_KILL_PID) and asks again.
func TestClusterSurvivesANode(t *testing.T) {
	pid, _ := strconv.Atoi(os.Getenv("WEAVIATE_KILL_PID"))
	if pid == 0 {
		t.Skip("WEAVIATE_KILL_PID is unset: run scripts/cluster-test.sh for the two-node test")
	}
	ctx := context.Background()
	s := openTest(t, Options{Replicas: 2, Shards: 2, Timeout: 20 * time.Second})
	arts := seedArticles(t)
	if _, err := s.SyncArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	ask := func() []retrieval.Passage {
		t.Helper()
		res, err := s.Search(ctx, retrieval.Query{Text: "قیمت نفت", K: 5})
		if err != nil {
			t.Fatalf("search: %v", err)
		}
		if len(res.Passages) == 0 {
			t.Fatal("search found nothing")
		}
		return res.Passages
	}
	before := ask()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	after := ask()
	if before[0].ArticleID != after[0].ArticleID || len(before) != len(after) {
		t.Errorf("with a node down: %s (%d passages), before %s (%d)", after[0].ArticleID, len(after), before[0].ArticleID, len(before))
	}
}
