package chat

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/persian"
)

// uploadsDir names uploaded files in the corpus ("uploads/<name>"), and
// is the folder of SeedsDir where they are saved without UploadsDir.
const uploadsDir = "uploads"

// uploadTarget is the folder an upload is written to, or "" when uploads
// are off.
func (c *Chat) uploadTarget() string {
	switch {
	case c.opts.UploadsDir != "":
		return c.opts.UploadsDir
	case c.opts.SeedsDir != "":
		return filepath.Join(c.opts.SeedsDir, uploadsDir)
	}
	return ""
}

// uploadExt returns the lower-case extension of an uploaded file name
// when it is one the corpus reads, or "".
func uploadExt(name string) string {
	switch ext := strings.ToLower(path.Ext(name)); ext {
	case ".txt", ".md", ".jsonl":
		return ext
	}
	return ""
}

// checkUpload says whether m may upload a file of that name and size; when
// not, the reply says why. Transports call it before downloading.
func (c *Chat) checkUpload(m Message, name string, size int64) (Reply, bool) {
	switch {
	case !m.Admin:
		return textReply(msgUploadRefused), false
	case c.uploadTarget() == "" || c.reload == nil:
		return textReply(msgUploadUnavailable), false
	case uploadExt(name) == "":
		return textReply(msgUploadBadType), false
	case size > c.opts.MaxUploadBytes:
		return textReply(fmt.Sprintf(msgUploadTooBig, persian.Itoa(int(c.opts.MaxUploadBytes>>10)))), false
	}
	return Reply{}, true
}

// AddFile validates an article file an admin sent (.txt or .md in the seed
// format, or .jsonl), saves it in UploadsDir (or SeedsDir/uploads) and
// syncs the index.
// The file is named after its content (uploads/<sha256 prefix><ext>): the
// sender's name is used only for its extension, a file is never
// overwritten, and sending the same file twice adds nothing. The reply
// says so at once; its Then syncs and reports.
func (c *Chat) AddFile(ctx context.Context, m Message, name string, data []byte) Reply {
	if r, ok := c.checkUpload(m, name, int64(len(data))); !ok {
		return r
	}
	ext := uploadExt(name)
	rel := path.Join(uploadsDir, corpus.ContentName(data, ext))

	n, problems := validateUpload(rel, data, c.opts.MaxArticleBytes)
	if n == 0 {
		var b strings.Builder
		b.WriteString(msgUploadInvalid)
		writeProblems(&b, problems)
		return textReply(b.String())
	}
	_, err := corpus.SaveNew(c.uploadTarget(), ext, data)
	switch {
	case errors.Is(err, fs.ErrExist):
		return textReply(msgUploadDuplicate)
	case err != nil:
		c.log.Error("saving an upload", "file", rel, "err", err)
		return textReply(msgUploadFailed)
	}
	c.log.Info("article file added", "file", rel, "sent_as", name, "articles", n, "admin", m.UserID)
	r := textReply(fmt.Sprintf(msgUploadSaving, persian.Itoa(n)))
	r.Then = func(ctx context.Context) Reply {
		rep, err := c.reload.Reload(ctx)
		out := reportReply(rep, err)
		saved := fmt.Sprintf(msgUploadSaved, rel)
		return textReply(saved + "\n" + out.PlainText())
	}
	return r
}

// validateUpload parses data as the corpus loader would and returns the
// number of usable articles and the problems found.
func validateUpload(rel string, data []byte, maxArticle int64) (int, []corpus.Problem) {
	arts, problems := corpus.ParseFile(rel, data, corpus.LoadOptions{MaxArticleBytes: maxArticle})
	return len(arts), problems
}
