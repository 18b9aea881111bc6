//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package retrieval

import (
	"os"

	"golang.org/x/sys/unix"
)

const canMap = true

func mmapFile(f *os.File, size int) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
}

func munmap(b []byte) { unix.Munmap(b) }

// dontNeed drops the pages of b (page-aligned, mapped from a file read
// only) from the resident set; they are read again when touched.
func dontNeed(b []byte) { unix.Madvise(b, unix.MADV_DONTNEED) }
