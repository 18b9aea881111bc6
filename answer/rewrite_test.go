package answer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sashabaranov/go-openai"

	"github.com/khabar/khabar/internal/openaitest"
)

func TestEveryQuestionIsRewritten(t *testing.T) {
	const english = "What did Iraq's defence minister say about relations with America?"
	tests := []struct {
		name      string
		question  string
		rewrite   func(openai.ChatCompletionRequest) string
		fail      bool // the rewrite request fails, retries included
		wantQuery string
		wantFound bool
	}{
		{"english, translated", english, func(openai.ChatCompletionRequest) string {
			return "«وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟»"
		},
			false, "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟", true},
		{"persian, without history", "وزیر دفاع عراق از آمریکا چی گفت؟", func(openai.ChatCompletionRequest) string { return iraqQuestion },
			false, iraqQuestion, true},
		{"the rewrite fails: the question as asked", iraqQuestion, nil, true, iraqQuestion, true},
		{"the rewrite is not persian: the question as asked", iraqQuestion, func(openai.ChatCompletionRequest) string { return "Iraq defence minister America" },
			false, iraqQuestion, true},
		{"the rewrite went astray: the reader's words still answer", iraqQuestion, func(openai.ChatCompletionRequest) string { return "قیمت بلیت هواپیمای کیش" },
			false, iraqQuestion, true},
		{"the rewrite is a cited answer, not a query: the question as asked", iraqQuestion, citedIraqReply,
			false, iraqQuestion, true},
		{"english that the model cannot place", english, func(openai.ChatCompletionRequest) string { return "قیمت بلیت هواپیمای کیش" },
			false, "قیمت بلیت هواپیمای کیش", false},
		{"english, the model down: told to ask in Persian", english, nil, true, english, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLLMFixture(t, citedIraqReply, time.Second)
			f.rewrite = tt.rewrite
			if tt.fail {
				f.fake.FailNext(openaitest.PathChat, 3, openaitest.Failure{Status: 500})
			}
			a, err := f.c.Answer(context.Background(), Request{Question: tt.question})
			if err != nil {
				t.Fatal(err)
			}
			var rewrites []openai.ChatCompletionRequest
			for _, req := range f.fake.ChatRequests() {
				if isRewrite(req) {
					rewrites = append(rewrites, req)
				}
			}
			if len(rewrites) == 0 || !strings.Contains(rewrites[0].Messages[1].Content, tt.question) {
				t.Fatalf("no rewrite request carried the question: %+v", rewrites)
			}
			if a.Standalone != tt.wantQuery {
				t.Errorf("searched %q, want %q", a.Standalone, tt.wantQuery)
			}
			if found := !a.NotFound() && len(a.Sources) > 0 && a.Sources[0].ArticleID == "iraq.txt"; found != tt.wantFound {
				t.Errorf("answered from iraq.txt: %v, want %v:\n%s", found, tt.wantFound, a)
			}
			if foreign := tt.fail && tt.question == english; foreign != (a.Mode == ModeLanguage && a.Text == MsgPersianOnly) {
				t.Errorf("mode %q; the ask-in-Persian reply wanted: %v:\n%s", a.Mode, foreign, a)
			}
		})
	}
}

func TestOfflineForeignQuestion(t *testing.T) {
	c := New(testIndex(t), Options{})
	tests := []struct {
		name     string
		question string
		foreign  bool
	}{
		{"english", "What is the price of the dollar in Tehran?", true},
		{"finglish", "gheymate dollar chande?", true},
		{"persian with a latin name", "قیمت دلار در iPhone Store تهران چقدر شد؟", false},
		{"persian", "قیمت دلار در تهران چقدر شد؟", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := c.Answer(context.Background(), Request{Question: tt.question})
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Text == MsgPersianOnly && a.Mode == ModeLanguage && !a.NotFound(); got != tt.foreign {
				t.Errorf("told to ask in Persian: %v, want %v:\n%s", got, tt.foreign, a)
			}
			if tt.foreign && (len(a.Sources) > 0 || strings.Contains(a.String(), "[")) {
				t.Errorf("the reply cites something: %s", a)
			}
		})
	}
}
