//go:build !unix

package retrieval

import "os"

// flock stands in where flock(2) does not exist: writers do not lock (one
// writer per DATA_DIR is then the operator's responsibility), and a
// caller that would not wait is told the lock is busy, so that no
// temporary snapshot is ever removed as stale.
func flock(_ *os.File, wait bool) error {
	if !wait {
		return errLocked
	}
	return nil
}
