package digest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// storeFile returns the bytes of a closed store with n subscriptions
// (enough for a branch page and overflow beyond the first leaf).
func storeFile(t testing.TB, n int) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "digest.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := st.Subscribe(int64(-1000-i), i%24, i%60); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// mustNotPanicOpen opens data as a store: it must return, without a
// panic; it returns Open's error.
func openBytes(t *testing.T, data []byte) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "digest.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Open(path)
	if err == nil {
		// A store that opened must serve every call.
		if _, err := st.All(); err != nil && !errors.Is(err, ErrBadRecord) {
			t.Errorf("All on an opened store: %v", err)
		}
		st.Close()
	}
	return err
}

// TestOpenDamagedStoreIsAnError: a truncated file, and a file with any
// one page overwritten, is an error wrapping ErrCorrupt (bbolt itself
// panics at Open or at the first read), never a panic.
func TestOpenDamagedStoreIsAnError(t *testing.T) {
	data := storeFile(t, 400)
	const page = 4096
	if len(data) < 6*page {
		t.Fatalf("store of %d bytes: too small to damage each kind of page", len(data))
	}
	m, err := readMeta(data)
	if err != nil {
		t.Fatal(err)
	}
	used := int(m.pgid) * page // the pages in use; the file may be longer
	for _, cut := range []int{used - page, used - 1, used / 2, 4 * page, 2*page + 100, page + 17, 100} {
		if err := openBytes(t, data[:cut]); !errors.Is(err, ErrCorrupt) {
			t.Errorf("truncated to %d bytes: got %v, want ErrCorrupt", cut, err)
		}
	}
	// Pages in use: overwriting any with garbage is found. (Pages that
	// are free, past the tree, may be garbage without harm.)
	for pg := 2; pg < int(m.pgid); pg++ {
		d := bytes.Clone(data)
		for i := pg * page; i < (pg+1)*page; i++ {
			d[i] = 0xAB
		}
		err := openBytes(t, d)
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Errorf("page %d garbage: got %v, want ErrCorrupt or a working store", pg, err)
		}
	}
	// Both meta pages damaged: not a store.
	d := bytes.Clone(data)
	copy(d[16:], bytes.Repeat([]byte{0xFF}, 64))
	copy(d[page+16:], bytes.Repeat([]byte{0xFF}, 64))
	if err := openBytes(t, d); !errors.Is(err, ErrCorrupt) {
		t.Errorf("both meta pages damaged: got %v, want ErrCorrupt", err)
	}
	// One meta page damaged: bbolt uses the other one, and so do we.
	d = bytes.Clone(data)
	copy(d[page+16:], bytes.Repeat([]byte{0xFF}, 64))
	copy(d[16:], bytes.Repeat([]byte{0x00}, 8))
	if err := openBytes(t, d); err != nil && !errors.Is(err, ErrCorrupt) {
		t.Errorf("one meta page damaged: %v", err)
	}
}

// TestOpenRandomDamageNeverPanics flips random bytes of a store: Open and
// a full read either work or fail with an error.
func TestOpenRandomDamageNeverPanics(t *testing.T) {
	data := storeFile(t, 300)
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		d := bytes.Clone(data)
		for range 1 + r.IntN(20) {
			d[r.IntN(len(d))] = byte(r.IntN(256))
		}
		if r.IntN(4) == 0 {
			d = d[:r.IntN(len(d))]
		}
		openBytes(t, d)
	}
}

func TestOpenCreatesAMissingOrEmptyFile(t *testing.T) {
	for name, data := range map[string][]byte{"missing": nil, "empty": {}} {
		path := filepath.Join(t.TempDir(), "digest.db")
		if data != nil {
			os.WriteFile(path, data, 0o600)
		}
		st, err := Open(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err := st.Subscribe(-1, 8, 0); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		st.Close()
	}
}

// TestMalformedRecordDoesNotStopTheOthers: one record that is not JSON,
// one with an impossible time: the other chats' digests are sent, each bad
// record is logged as an error, and /digest can rewrite a bad record.
func TestMalformedRecordDoesNotStopTheOthers(t *testing.T) {
	path, st, c, r, _ := setup(t)
	for _, chat := range []int64{-1, -2, -3} {
		if err := st.Subscribe(chat, 8, 0); err != nil {
			t.Fatal(err)
		}
	}
	err := st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if err := b.Put(key(-10), []byte("{not json")); err != nil {
			return err
		}
		return b.Put(key(-11), []byte(`{"ChatID":-11,"Hour":99}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := NewScheduler(st, r.send, c.now, tehran, slog.New(slog.NewTextHandler(&logs, nil)))
	c.t = c.t.Add(2 * time.Hour) // 09:00, past every digest time
	n, err := s.RunOnce(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("RunOnce: sent %d, %v; want 3 sent, no error", n, err)
	}
	if got := strings.Count(logs.String(), "level=ERROR"); got != 2 || !strings.Contains(logs.String(), "chat -10") || !strings.Contains(logs.String(), "chat -11") {
		t.Errorf("want two errors naming chats -10 and -11:\n%s", logs.String())
	}
	subs, err := st.All()
	if len(subs) != 3 || !errors.Is(err, ErrBadRecord) {
		t.Errorf("All: %d subscriptions, %v; want 3 and ErrBadRecord", len(subs), err)
	}
	if _, _, err := st.Get(-10); !errors.Is(err, ErrBadRecord) {
		t.Errorf("Get of a bad record: %v, want ErrBadRecord", err)
	}
	if err := st.Subscribe(-10, 7, 30); err != nil {
		t.Fatalf("Subscribe over a bad record: %v", err)
	}
	if sub, ok, err := st.Get(-10); err != nil || !ok || sub.Time() != "07:30" {
		t.Errorf("after /digest 07:30: %+v %v %v", sub, ok, err)
	}
	_ = path
}
