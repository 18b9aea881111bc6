package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/khabar/khabar/evaluation"
)

// TestPrintEvalSuccessLabel: the third success line names the cut-off its
// figure was measured at, whatever -k asked.
func TestPrintEvalSuccessLabel(t *testing.T) {
	rep := evaluation.Report{Retrieval: evaluation.Retrieval{Success1: 0.25, Success5: 0.5, Success10: 0.75}}
	tests := []struct {
		k    int
		want string
	}{
		{1, "success@1      0.250"},
		{3, "success@5      0.500"},
		{7, "success@10     0.750"},
		{10, "success@10     0.750"},
		{20, "success@10     0.750"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		printEval(&b, rep, tt.k)
		lines := strings.Split(b.String(), "\n")
		var got string
		for i, l := range lines {
			if strings.HasPrefix(l, "success@1 ") && i+2 < len(lines) {
				got = lines[i+2] // after success@1 and success@5
				break
			}
		}
		if got != tt.want {
			t.Errorf("k %d: got %q, want %q", tt.k, got, tt.want)
		}
	}
}
