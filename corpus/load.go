package corpus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// LoadOptions bounds what [Load] accepts. Zero values mean the defaults.
type LoadOptions struct {
	MaxArticleBytes int64 // a .txt/.md file or one jsonl line; default 1 MiB
	MaxFileBytes    int64 // a .jsonl file; default 512 MiB
	// Now is the clock future dates are measured against: an article
	// dated more than a day after Now is kept without its date and
	// reported. Default time.Now.
	Now func() time.Time
}

const (
	defaultMaxArticleBytes = 1 << 20
	defaultMaxFileBytes    = 512 << 20
)

func (o LoadOptions) withDefaults() LoadOptions {
	if o.MaxArticleBytes <= 0 {
		o.MaxArticleBytes = defaultMaxArticleBytes
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = defaultMaxFileBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// maxFutureDate is how far after the clock an article may be dated: a
// day, for time zones (Tehran is ahead of UTC) and early publication.
const maxFutureDate = 24 * time.Hour

// Corpus is the result of a [Load]: the usable articles in a deterministic
// order (path, then line), every file or line that was skipped or repaired,
// and the number of corpus files (.txt, .md, .jsonl) examined.
type Corpus struct {
	Articles []Article
	Problems []Problem
	Files    int
}

// ErrNoArticles is returned (wrapped) by [Load] when the corpus holds no
// usable article at all.
var ErrNoArticles = errors.New("no usable articles")

// Load reads every .txt, .md and .jsonl file under fsys, in path order.
// Other extensions, dotfiles and dot-directories are ignored. Bad input never
// stops the load: an empty, binary, non-UTF-8, oversized or unreadable file,
// a malformed jsonl line or a duplicate id is skipped and reported in
// [Corpus.Problems]; a bad date, or one more than a day in the future
// (a typo, or a Jalali year read wrongly, that would otherwise become the
// latest news), is dropped and reported, the article kept. A symbolic link
// that leads out of fsys is reported and not followed. When no article is usable, Load returns the Corpus with its Problems
// together with an error wrapping [ErrNoArticles]. An error reading the root
// of fsys, or a done ctx, ends the load with an error.
func Load(ctx context.Context, fsys fs.FS, opts LoadOptions) (Corpus, error) {
	return load(ctx, fsys, nil, opts)
}

// load is [Load] leaving out the top-level entries of fsys named in hide.
func load(ctx context.Context, fsys fs.FS, hide []string, opts LoadOptions) (Corpus, error) {
	return loadSince(ctx, fsys, hide, opts, nil)
}

// loadSince is load leaving out the files s holds (s nil: none), whose
// units it records.
func loadSince(ctx context.Context, fsys fs.FS, hide []string, opts LoadOptions, s *since) (Corpus, error) {
	opts = opts.withDefaults()
	var c Corpus
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			c.Problems = append(c.Problems, Problem{Path: validPath(p), Reason: "unreadable: " + errText(err), Skipped: true})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p != "." && (strings.HasPrefix(d.Name(), ".") || slices.Contains(hide, p)) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if reason := symlinkProblem(fsys, p); reason != "" {
				c.Problems = append(c.Problems, Problem{Path: validPath(p), Reason: reason, Skipped: true})
				return nil
			}
		}
		if !d.IsDir() && corpusExt(p) != "" && !isReadme(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return Corpus{}, fmt.Errorf("load corpus: %w", err)
	}
	slices.Sort(files)

	seen := make(map[string]string) // id → where it was first seen
	future := opts.Now().Add(maxFutureDate)
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return Corpus{}, fmt.Errorf("load corpus: %w", err)
		}
		c.Files++
		var fp string
		if s != nil {
			var kept bool
			var err error
			if fp, kept, err = s.keep(fsys, p, opts, seen); err != nil {
				return Corpus{}, err
			} else if kept {
				continue
			}
		}
		arts, probs := loadFile(ctx, fsys, p, opts)
		c.Problems = append(c.Problems, probs...)
		for _, a := range arts {
			if prob, ok := dropFutureDate(&a, future); ok {
				c.Problems = append(c.Problems, prob)
				probs = append(probs, prob)
				fp = "" // depends on the clock
			}
			if first, ok := seen[a.ID]; ok {
				prob := duplicateProblem(a, first)
				c.Problems = append(c.Problems, prob)
				probs = append(probs, prob)
				fp = "" // depends on another file
				continue
			}
			seen[a.ID] = location(a.Path, a.Line)
			c.Articles = append(c.Articles, a)
		}
		if s != nil {
			s.units = append(s.units, Unit{Path: s.name(p), Fingerprint: fp, Problems: probs})
		}
	}
	if err := ctx.Err(); err != nil {
		return Corpus{}, fmt.Errorf("load corpus: %w", err)
	}
	slices.SortStableFunc(c.Problems, func(a, b Problem) int {
		if n := strings.Compare(a.Path, b.Path); n != 0 {
			return n
		}
		return a.Line - b.Line
	})
	if len(c.Articles) == 0 && (s == nil || s.kept == 0) {
		return c, fmt.Errorf("load corpus: %d files, %d problems: %w", c.Files, len(c.Problems), ErrNoArticles)
	}
	return c, nil
}

// dropFutureDate drops the date of a when it is after future, and says so.
func dropFutureDate(a *Article, future time.Time) (Problem, bool) {
	if !a.Date.After(future) {
		return Problem{}, false
	}
	p := Problem{Path: a.Path, Line: a.Line,
		Reason: fmt.Sprintf("date %s is in the future (kept without a date)", a.Date.Format(time.DateOnly))}
	a.Date = time.Time{}
	return p, true
}

// maxSymlinks bounds how many symbolic links one path may go through.
const maxSymlinks = 40

// symlinkProblem says why the symbolic link at p is not followed: it
// leads out of fsys (an absolute target, or «..» above the root, at any
// step of the chain), or it cannot be resolved. It returns "" for a link
// that stays inside; a broken one is left for the reader to report.
// Resolution is component by component, so a link through a linked folder
// that leaves is caught too.
func symlinkProblem(fsys fs.FS, p string) string {
	target, err := fs.ReadLink(fsys, p)
	if err != nil {
		return "symbolic link not followed: " + errText(err)
	}
	pending := strings.Split(target, "/")
	if isAbsLink(target) {
		return fmt.Sprintf("symbolic link to %s leaves the corpus folder (not followed)", quoteShort(target))
	}
	resolved := path.Dir(p)
	for links := 1; len(pending) > 0; {
		part := pending[0]
		pending = pending[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			if resolved == "." {
				return fmt.Sprintf("symbolic link to %s leaves the corpus folder (not followed)", quoteShort(target))
			}
			resolved = path.Dir(resolved)
			continue
		}
		next := path.Join(resolved, part)
		info, err := fs.Lstat(fsys, next)
		if err != nil {
			return "" // broken: reading it reports the error
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if links++; links > maxSymlinks {
			return "symbolic link not followed: too many links"
		}
		t, err := fs.ReadLink(fsys, next)
		if err != nil {
			return "symbolic link not followed: " + errText(err)
		}
		if isAbsLink(t) {
			return fmt.Sprintf("symbolic link to %s leaves the corpus folder (not followed)", quoteShort(target))
		}
		pending = append(strings.Split(t, "/"), pending...)
	}
	return ""
}

// isAbsLink reports whether a link target is absolute, in slash form or
// the platform's.
func isAbsLink(target string) bool { return path.IsAbs(target) || filepath.IsAbs(target) }

// corpusExt returns the lower-case extension of p when it is a corpus file
// (".txt", ".md" or ".jsonl"), and "" otherwise.
func corpusExt(p string) string {
	switch ext := strings.ToLower(path.Ext(p)); ext {
	case ".txt", ".md", ".jsonl":
		return ext
	}
	return ""
}

// isReadme reports whether p is a README, which describes a corpus folder
// and is not an article.
func isReadme(p string) bool {
	base := strings.ToLower(path.Base(p))
	return strings.TrimSuffix(base, path.Ext(base)) == "readme"
}

// loadFile reads one corpus file, checking its size before and while
// reading.
func loadFile(ctx context.Context, fsys fs.FS, p string, opts LoadOptions) ([]Article, []Problem) {
	problem := func(reason string) []Problem {
		return []Problem{{Path: validPath(p), Reason: reason, Skipped: true}}
	}
	jsonl := corpusExt(p) == ".jsonl"
	limit := opts.MaxArticleBytes
	if jsonl {
		limit = opts.MaxFileBytes
	}
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, problem("unreadable file: " + errText(err))
	}
	if !info.Mode().IsRegular() {
		return nil, problem("not a regular file")
	}
	if info.Size() > limit {
		return nil, problem(fmt.Sprintf("file too large (%s > %s)", formatBytes(info.Size()), formatBytes(limit)))
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, problem("unreadable file: " + errText(err))
	}
	defer f.Close()
	if jsonl {
		return ParseJSONL(p, &boundedReader{ctx: ctx, r: f, left: limit, limit: limit}, opts)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, problem("unreadable file: " + errText(err))
	}
	if int64(len(data)) > limit {
		return nil, problem(fmt.Sprintf("file too large (> %s)", formatBytes(limit)))
	}
	a, probs := ParseSeed(p, data)
	if a.ID == "" {
		return nil, probs
	}
	return []Article{a}, probs
}

// fileTooLargeError is returned by a boundedReader past its limit: the file
// grew, or its size was misreported.
type fileTooLargeError struct{ limit int64 }

func (e *fileTooLargeError) Error() string {
	return fmt.Sprintf("file too large (> %s); the rest was not read", formatBytes(e.limit))
}

// boundedReader reads at most limit bytes of r, then fails with a
// fileTooLargeError if r has more; it also fails once ctx is done.
type boundedReader struct {
	ctx   context.Context
	r     io.Reader
	left  int64
	limit int64
	err   error // sticky
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	if int64(n) > b.left {
		n, b.left = int(b.left), 0
		b.err = &fileTooLargeError{limit: b.limit}
		return n, b.err
	}
	b.left -= int64(n)
	return n, err
}

// ParseSeed parses one .txt or .md file in the seed format: an optional
// "date YYYY-MM-DD" header (after optional white space and a BOM; "Date:"
// and Persian digits accepted; it may share the first line with the body),
// then, for .md files, an optional "# Title" line, then the body. The
// article's ID is path. When the file is unusable, the returned Article has
// an empty ID and the Problem says why; a bad date keeps the article without
