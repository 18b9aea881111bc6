package chat

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/khabar/khabar/answer"
)

// recordingSummarizer records the summaries asked of it.
type recordingSummarizer struct {
	mu    sync.Mutex
	texts []string
}

func TestChatRoutesIntentsBeforeSearching(t *testing.T) {
	tests := []struct {
		name        string
		give        string
		wantReply   string // a pleasantry's reply
		wantSummary string // the summary asked for, "-" for none
		wantAsked   string // the question asked of the answerer, "" for none
	}{
		{"greeting", "سلام", answer.MsgGreeting, "-", ""},
		{"thanks", "ممنون", answer.MsgThanks, "-", ""},
		{"what's new", "چه خبر؟", "", "", ""},
		{"the latest news", "آخرین اخبار", "", "", ""},
		{"something new", "خبر جدید چی داری؟", "", "", ""},
		{"the news of a day", "اخبار ۱۳ مهر", "", "۱۳ مهر", ""},
		{"a topic", "درباره بورس چه خبر؟", "", "بورس", ""},
		{"a question after a greeting", "سلام، قیمت دلار چنده؟", "", "-", "قیمت دلار چنده"},
		{"a question", "وزیر دفاع عراق درباره آمریکا چه گفت؟", "", "-", "وزیر دفاع عراق درباره آمریکا چه گفت؟"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answerer := &echoAnswerer{}
			summaries := &recordingSummarizer{}
			chat := New(answerer, discard(), Options{Summarizer: summaries})
			for _, text := range []string{tt.give, "/ask " + tt.give} {
				reply := chat.Handle(context.Background(), Message{ChatID: 1, UserID: 2, Text: text})
				if tt.wantReply != "" && (reply.PlainText() != tt.wantReply || reply.Answer != nil || strings.Contains(reply.PlainText(), "[")) {
					t.Errorf("%q: reply %q, want %q citing nothing", text, reply.PlainText(), tt.wantReply)
				}
			}
			summaries.mu.Lock()
			got := summaries.texts
			summaries.mu.Unlock()
			if tt.wantSummary == "-" && len(got) != 0 || tt.wantSummary != "-" && (len(got) != 2 || got[0] != tt.wantSummary) {
				t.Errorf("summaries asked %q, want %q twice", got, tt.wantSummary)
			}
			asked := answerer.asked()
			if tt.wantAsked == "" && len(asked) != 0 || tt.wantAsked != "" && (len(asked) != 2 || asked[0] != tt.wantAsked) {
				t.Errorf("questions asked %q, want %q twice", asked, tt.wantAsked)
			}
		})
	}
}

func (r *recordingSummarizer) Summarize(_ context.Context, req answer.SummaryRequest) (answer.Summary, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.texts = append(r.texts, req.Text)
	return answer.Summary{Period: "۱۳ مهر ۱۴۰۴"}, nil
}
