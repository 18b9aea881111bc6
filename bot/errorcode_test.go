package bot

import (
	"errors"
	"fmt"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// The metrics count a failed call by the code errorCode gives: Telegram's
// code, 429 for any flood wait, 0 when Telegram did not answer.
func TestErrorCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{&tgbotapi.Error{Code: 403, Message: "Forbidden: bot was blocked by the user"}, 403},
		{fmt.Errorf("send: %w", &tgbotapi.Error{Code: 400, Message: "Bad Request"}), 400},
		{&tgbotapi.Error{Code: 429, ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 3}}, 429},
		{&tgbotapi.Error{Code: 400, ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 3}}, 429},
		{errors.New("connection reset by peer"), 0},
	} {
		if got := errorCode(c.err); got != c.want {
			t.Errorf("errorCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
