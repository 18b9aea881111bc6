package retrieval

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// lockName is the lock file in Options.Dir. A process holds an exclusive
// advisory lock (flock) on it while it writes a snapshot, so that two
// processes on one DATA_DIR (serve, and an ask or index run beside it)
// save one after the other, and a temporary snapshot is removed as stale
// only when no writer holds the lock. The file itself stays: removing a
// lock file races with the next process opening it.
const lockName = "index.lock"

// errLocked is returned by lockDir without wait when another process
// holds the lock.
var errLocked = errors.New("locked by another process")

// dirLock is a held lock on a data directory.
type dirLock struct{ f *os.File }

// lockDir takes the writer lock of dir, waiting for another holder to
// let go when wait is set, and failing with errLocked otherwise.
func lockDir(dir string, wait bool) (*dirLock, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if err := flock(f, wait); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return &dirLock{f: f}, nil
}

// unlock releases the lock (closing the file releases a flock).
func (l *dirLock) unlock() { l.f.Close() }
