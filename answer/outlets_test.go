package answer

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

func TestNamedOutlets(t *testing.T) {
	var passages []retrieval.Passage
	for _, s := range []string{"خبرآنلاین", "همشهری آنلاین", "مهر", "خبرآنلاین"} {
		var p retrieval.Passage
		p.Source = s
		passages = append(passages, p)
	}
	tests := []struct {
		question string
		want     []string
	}{
		{"همشهری آنلاین و خبرآنلاین نیم‌سکه را چند اعلام کردند؟", []string{"همشهری انلاین", "خبرانلاین"}},
		{"قیمت سکه ۱۳ مهر چند بود؟", nil}, // one name alone is the month
		{"خبرآنلاین قیمت سکه را چند اعلام کرد؟", nil},
	}
	for _, tt := range tests {
		if got := namedOutlets(tt.question, passages); !slices.Equal(got, tt.want) {
			t.Errorf("namedOutlets(%q) = %q, want %q", tt.question, got, tt.want)
		}
	}
	got := withoutOutlets("همشهری آنلاین و خبرآنلاین نیم‌سکه را چند اعلام کردند؟", []string{"همشهری انلاین", "خبرانلاین"})
	if want := "و نیمسکه را چند اعلام کردند"; got != want {
		t.Errorf("withoutOutlets = %q, want %q", got, want)
	}
}

// TestSeedsTwoOutletsNamed: the outlets' names sink the question under the
// floor; asked without them, each outlet named is quoted.
func TestSeedsTwoOutletsNamed(t *testing.T) {
	c := seedComposer(t, time.Date(2025, 10, 12, 12, 0, 0, 0, persian.Tehran()))
	a, err := c.Answer(context.Background(), Request{Question: "همشهری آنلاین و خبرآنلاین نیم‌سکه را چند اعلام کردند؟"})
	if err != nil {
		t.Fatal(err)
	}
	if a.NotFound() || !strings.Contains(persian.Canonical(a.Text), persian.Canonical("۵۸ میلیون تومان")) {
		t.Fatalf("not answered:\n%s", a.String())
	}
	var outlets []string
	for _, s := range a.Sources {
		outlets = append(outlets, s.Source)
	}
	for _, o := range []string{"همشهری آنلاین", "خبرآنلاین"} {
		if !slices.Contains(outlets, o) {
			t.Errorf("%s not cited (sources %q):\n%s", o, outlets, a.String())
		}
	}
}
