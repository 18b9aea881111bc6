package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/khabar/khabar/corpus/jsonfile"
)

// ContentName is the name a corpus file of data is saved under (an
// upload): the first 8 bytes of its SHA-256 in hex, then ext
// ("3f2a…9c01.txt"). The same content always gets the same name.
func ContentName(data []byte, ext string) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8]) + ext
}

// SaveNew saves data in the folder dir (created when missing) under
// [ContentName], and returns that name. The write is atomic: a temporary
// dotfile (which the loader ignores), synced, then linked into place. A
// file is never overwritten: when the name exists (the same content was
// saved before) the error wraps fs.ErrExist.
func SaveNew(dir, ext string, data []byte) (string, error) {
	name := ContentName(data, ext)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return name, err
	}
	return name, jsonfile.WriteNew(filepath.Join(dir, name), data)
}

// ParseFile parses one corpus file held in data, named path, as [Load]
// would read it: one .jsonl article a line, or one article in the seed
// format (.txt, .md) at most opts.MaxArticleBytes long.
func ParseFile(path string, data []byte, opts LoadOptions) ([]Article, []Problem) {
	opts = opts.withDefaults()
	if corpusExt(path) == ".jsonl" {
		return ParseJSONL(path, bytes.NewReader(data), opts)
	}
	if size := int64(len(data)); size > opts.MaxArticleBytes {
		return nil, []Problem{{Path: validPath(path), Skipped: true,
			Reason: fmt.Sprintf("file too large (%s > %s)", formatBytes(size), formatBytes(opts.MaxArticleBytes))}}
	}
	a, probs := ParseSeed(path, data)
	if a.ID == "" {
		return nil, probs
	}
	return []Article{a}, probs
}
