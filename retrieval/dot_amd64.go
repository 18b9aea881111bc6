package retrieval

import "golang.org/x/sys/cpu"

// dotInt8AVX2 returns the inner product of the n int8s at a and b; n is a
// multiple of 32 (dot_amd64.s).
//
//go:noescape
func dotInt8AVX2(a, b *int8, n int) int32

var haveAVX2 = cpu.X86.HasAVX2

// dotInt8 is the inner product of two equal-length int8 vectors: 32 at a
// time with AVX2 where the CPU has it, the rest in Go.
func dotInt8(a, b []int8) int32 {
	b = b[:len(a)]
	n := len(a) &^ 31
	if !haveAVX2 || n == 0 {
		return dotInt8Go(a, b)
	}
	return dotInt8AVX2(&a[0], &b[0], n) + dotInt8Go(a[n:], b[n:])
}
