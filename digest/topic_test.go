package digest

import (
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "digest.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// TestSubscribeTopic: the forum topic is kept with the subscription, and
// a record written before topics were kept still decodes (no topic).
func TestSubscribeTopic(t *testing.T) {
	s, path := openTemp(t)
	if err := s.SubscribeTopic(-1, 42, 8, 30); err != nil {
		t.Fatal(err)
	}
	if sub, ok, err := s.Get(-1); err != nil || !ok || sub.Thread != 42 || sub.Time() != "08:30" {
		t.Errorf("got %+v, %v, %v", sub, ok, err)
	}
	if err := s.Subscribe(-1, 9, 0); err != nil { // from outside any topic
		t.Fatal(err)
	}
	if sub, _, _ := s.Get(-1); sub.Thread != 0 {
		t.Errorf("thread %d after a subscription outside the topics", sub.Thread)
	}

	// A record as written before topics were kept, put in the file as it
	// is laid out (bucket "subscriptions", the chat id big-endian).
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	chat := int64(-2)
	old := `{"ChatID":-2,"Hour":7,"Minute":5,"Day":"2025-10-01","Until":"2025-10-01T07:05:00Z"}`
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("subscriptions")).Put(binary.BigEndian.AppendUint64(nil, uint64(chat)), []byte(old))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	subs, err := s.All()
	if err != nil || len(subs) != 2 {
		t.Fatalf("All: %+v, %v", subs, err)
	}
	for _, sub := range subs {
		if sub.ChatID == -2 && (sub.Thread != 0 || sub.Time() != "07:05" || sub.Day != "2025-10-01") {
			t.Errorf("old record: %+v", sub)
		}
	}
}

// TestMove: a subscription follows its group to the supergroup with what
// was already sent; one the supergroup already has wins.
func TestMove(t *testing.T) {
	s, _ := openTemp(t)
	now := time.Date(2025, 10, 6, 9, 0, 0, 0, tehran)
	s.Subscribe(-10, 8, 0)
	r := &recorder{}
	if n, err := NewScheduler(s, r.send, func() time.Time { return now }, tehran, quiet()).RunOnce(t.Context()); n != 1 || err != nil {
		t.Fatalf("RunOnce: %d, %v", n, err)
	}
	had, err := s.Move(-10, -10010)
	if err != nil || !had {
		t.Fatalf("Move: %v, %v", had, err)
	}
	if _, ok, _ := s.Get(-10); ok {
		t.Errorf("the old id is still subscribed")
	}
	sub, ok, _ := s.Get(-10010)
	if !ok || sub.ChatID != -10010 || sub.Time() != "08:00" || sub.Day != "2025-10-06" || !sub.Until.Equal(now) {
		t.Errorf("moved: %+v, %v", sub, ok)
	}
	if had, err := s.Move(-10, -10010); had || err != nil {
		t.Errorf("moving again: %v, %v", had, err)
	}

	s.Subscribe(-20, 6, 0)
	s.Subscribe(-10020, 21, 0)
	if had, err := s.Move(-20, -10020); !had || err != nil {
		t.Fatalf("Move: %v, %v", had, err)
	}
	if sub, _, _ := s.Get(-10020); sub.Time() != "21:00" {
		t.Errorf("the supergroup's own subscription was replaced: %+v", sub)
	}
	if _, ok, _ := s.Get(-20); ok {
		t.Errorf("the old id is still subscribed")
	}
}
