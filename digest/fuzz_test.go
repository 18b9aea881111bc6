package digest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen opens arbitrary bytes as a store: never a panic (bbolt's own
// would end the process), and a store that opens serves every call.
func FuzzOpen(f *testing.F) {
	f.Add(storeFile(f, 3))
	f.Add(storeFile(f, 200))
	f.Add([]byte{})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "digest.db")
		os.Remove(path)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := Open(path)
		if err != nil {
			return
		}
		defer st.Close()
		if _, err := st.All(); err != nil && !errors.Is(err, ErrBadRecord) {
			t.Errorf("All: %v", err)
		}
		if err := st.Subscribe(-42, 8, 0); err != nil {
			t.Logf("Subscribe: %v", err)
		}
	})
}
