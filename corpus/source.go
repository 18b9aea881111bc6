package corpus

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"syscall"
)

// Source is somewhere articles come from: a folder of files ([Folder]),
// the live news feeds (corpus/feed), the posts of Telegram channels
// (corpus/channel). Articles returns every usable article and the
// problems met on the way (a bad file or line is a Problem, not an
// error). An error means the source could not be read at all; one wrapping
// [ErrNoArticles] means it was read and holds no usable article, which
// [Multi] accepts as long as another source has some.
type Source interface {
	Articles(ctx context.Context) ([]Article, []Problem, error)
}

var (
	_ Source = (*Folder)(nil)
	_ Source = (*Multi)(nil)
)

// Folder is a folder of article files, read by [Load].
type Folder struct {
	FS      fs.FS
	Options LoadOptions
	// Prefix, when set, names the folder inside the corpus: every id and
	// path of its articles and problems becomes Prefix/<id>, so that they
	// never collide with another source's ("uploads/a.txt").
	Prefix string
	// Hide lists top-level entries of FS left out of the corpus (named
	// like another source's folder).
	Hide []string
	// Optional makes a folder that does not exist (nothing uploaded yet)
	// an empty source instead of an error.
	Optional bool
	// Name, when set, prefixes the errors of a folder that cannot be read.
	Name string
}

// Articles loads the folder.
func (f *Folder) Articles(ctx context.Context) ([]Article, []Problem, error) {
	if f.Optional {
		if _, err := fs.Stat(f.FS, "."); isMissing(err) {
			return nil, nil, nil
		}
	}
	c, err := load(ctx, f.FS, f.Hide, f.Options)
	f.prefixed(&c)
	return c.Articles, c.Problems, f.wrapErr(err)
}

func isMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// join names p inside the corpus (see Prefix).
func (f *Folder) join(p string) string {
	if f.Prefix == "" {
		return p
	}
	return path.Join(f.Prefix, p)
}

// prefixed applies Prefix to the ids and paths of c.
func (f *Folder) prefixed(c *Corpus) {
	if f.Prefix == "" {
		return
	}
	for i := range c.Articles {
		a := &c.Articles[i]
		a.ID, a.Path = path.Join(f.Prefix, a.ID), path.Join(f.Prefix, a.Path)
	}
	for i := range c.Problems {
		c.Problems[i].Path = path.Join(f.Prefix, c.Problems[i].Path)
	}
}

// wrapErr is the error of a load as the folder reports it.
func (f *Folder) wrapErr(err error) error {
	switch {
	case err == nil:
	case f.Optional && errors.Is(err, ErrNoArticles):
		err = nil
	case f.Name != "" && !errors.Is(err, ErrNoArticles):
		err = fmt.Errorf("%s: %w", f.Name, err)
	}
	return err
}

// Multi is the corpus of several sources, read in order: an article whose
// id an earlier one has is skipped and reported, as [Load] does within a
// folder. The articles and problems are then in path order, the order
// [Load] gives.
type Multi struct {
	Sources []Source
	// Additions are read after Sources (the folder of uploads): an
	// article of theirs whose text an earlier article has (the same
	// article sent again) is left out without a problem.
	Additions []Source
}

// Articles reads every source. An error of a source ends the read,
// except one wrapping [ErrNoArticles]: when no source has an article the
// first such error is returned (or a new one), with the problems.
func (m *Multi) Articles(ctx context.Context) ([]Article, []Problem, error) {
	var (
		arts    []Article
		probs   []Problem
		emptied error
		seen    = make(map[string]string) // id → where it was first seen
		texts   = make(map[string]bool)
	)
	read := func(src Source, addition bool) error {
		as, ps, err := src.Articles(ctx)
		probs = append(probs, ps...)
		switch {
		case errors.Is(err, ErrNoArticles):
			if emptied == nil {
				emptied = err
			}
		case err != nil:
			return err
		}
		for _, a := range as {
			if addition && texts[a.Text] {
				continue
			}
			if first, ok := seen[a.ID]; ok {
				probs = append(probs, duplicateProblem(a, first))
				continue
			}
			seen[a.ID], texts[a.Text] = location(a.Path, a.Line), true
			arts = append(arts, a)
		}
		return nil
	}
	for _, src := range m.Sources {
		if err := read(src, false); err != nil {
			return nil, probs, err
		}
	}
	for _, src := range m.Additions {
		if err := read(src, true); err != nil {
			return nil, probs, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, probs, fmt.Errorf("load corpus: %w", err)
	}
	byPath := func(p1 string, l1 int, p2 string, l2 int) int {
		if n := strings.Compare(p1, p2); n != 0 {
			return n
		}
		return l1 - l2
	}
	slices.SortStableFunc(arts, func(a, b Article) int { return byPath(a.Path, a.Line, b.Path, b.Line) })
	slices.SortStableFunc(probs, func(a, b Problem) int { return byPath(a.Path, a.Line, b.Path, b.Line) })
	if len(arts) == 0 {
		if emptied == nil {
			emptied = fmt.Errorf("load corpus: %w", ErrNoArticles)
		}
		return nil, probs, emptied
	}
	return arts, probs, nil
}
