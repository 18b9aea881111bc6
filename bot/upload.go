package bot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
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
	sum := sha256.Sum256(data)
	base := hex.EncodeToString(sum[:8]) + ext
	rel := path.Join(uploadsDir, base)

	n, problems := validateUpload(rel, ext, data, c.opts.MaxArticleBytes)
	if n == 0 {
		var b strings.Builder
		b.WriteString(msgUploadInvalid)
		writeProblems(&b, problems)
		return textReply(b.String())
	}
	err := saveNew(filepath.Join(c.uploadTarget(), base), data)
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
		return Reply{Text: saved + "\n" + out.Text, HTML: escape(saved) + "\n" + out.HTML}
	}
	return r
}

// validateUpload parses data as the corpus loader would and returns the
// number of usable articles and the problems found.
func validateUpload(rel, ext string, data []byte, maxArticle int64) (int, []corpus.Problem) {
	if ext == ".jsonl" {
		arts, problems := corpus.ParseJSONL(rel, bytes.NewReader(data), corpus.LoadOptions{MaxArticleBytes: maxArticle})
		return len(arts), problems
	}
	if int64(len(data)) > maxArticle {
		return 0, []corpus.Problem{{Path: rel, Reason: "file too large for one article", Skipped: true}}
	}
	art, problems := corpus.ParseSeed(rel, data)
	if art.ID == "" {
		return 0, problems
	}
	return 1, problems
}

// saveNew writes data to name atomically: a temporary dotfile (which the
// corpus loader ignores) in the same folder, synced, then linked into
// place, which fails with fs.ErrExist instead of overwriting a file.
func saveNew(name string, data []byte) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := os.Lstat(name); err == nil {
		return fmt.Errorf("save %s: %w", filepath.Base(name), fs.ErrExist)
	}
	tmp, err := os.CreateTemp(dir, ".upload-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), name); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("save %s: %w", filepath.Base(name), fs.ErrExist)
		}
		return err
	}
	return nil
}
