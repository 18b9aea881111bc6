package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// errTooBig is returned for a file over the size limit.
var errTooBig = errors.New("file too big")

// download fetches a file the bot received, at most max bytes, from the
// configured Bot API server (File.Link would always use api.telegram.org).
func (b *Bot) download(ctx context.Context, fileID string, max int64) ([]byte, error) {
	if b.fileBase == "" {
		return nil, errors.New("download: no file endpoint for this API endpoint")
	}
	f, err := b.api.GetFile(tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		return nil, fmt.Errorf("getFile: %w", err)
	}
	if int64(f.FileSize) > max {
		return nil, errTooBig
	}
	if f.FilePath == "" {
		return nil, errors.New("getFile: no file_path")
	}
	segments := strings.Split(f.FilePath, "/")
	for i, s := range segments {
		segments[i] = url.PathEscape(s)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf(b.fileBase, b.opts.Token, strings.Join(segments, "/")), nil)
	if err != nil {
		return nil, fmt.Errorf("download: %w", b.redact(err))
	}
	resp, err := b.opts.HTTPClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL holds the token
		}
		return nil, fmt.Errorf("download %s: %w", f.FilePath, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: HTTP %d", f.FilePath, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", f.FilePath, b.redact(err))
	}
	if int64(len(data)) > max {
		return nil, errTooBig
	}
	return data, nil
}
