//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package retrieval

import (
	"errors"
	"os"
)

// canMap is false: the snapshot is read into memory (see mapFile).
const canMap = false

func mmapFile(*os.File, int) ([]byte, error) { return nil, errors.New("no memory mapping here") }

func munmap([]byte) {}

func dontNeed([]byte) {}
