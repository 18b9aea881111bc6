package bot

import (
	"strings"
	"testing"

	"github.com/khabar/khabar/answer"
)

func TestSummaryHTMLShowsTheNote(t *testing.T) {
	tests := []struct {
		name string
		give answer.Summary
		want string
		not  string
	}{
		{"a period without news", answer.Summary{Period: "۱۰ آذر ۱۴۰۵", Note: "در منابع برای ۱۰ آذر ۱۴۰۵ خبری نیست."}, "در منابع برای ۱۰ آذر ۱۴۰۵ خبری نیست.", answer.MsgSummaryEmpty},
		{"a topic without news", answer.Summary{Note: "درباره «قیمت بنزین» خبری در منابع نیست."}, "درباره «قیمت بنزین» خبری در منابع نیست.", answer.MsgSummaryEmpty},
		{"no note", answer.Summary{Period: "۱۳ مهر ۱۴۰۴"}, answer.MsgSummaryEmpty, "\n\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, got := range []string{summaryHTML(tt.give), tt.give.String()} {
				if !strings.Contains(got, tt.want) || strings.Contains(got, tt.not) {
					t.Errorf("got %q, want %q and not %q", got, tt.want, tt.not)
				}
			}
		})
	}
}
