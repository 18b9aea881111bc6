package corpus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/cespare/xxhash/v2"
)

// A unit is what a source reads in one piece (a file of a [Folder]); its
// articles and problems carry its path. A caller that keeps what it made of
// a unit (the index keeps its chunks) can read a [Fingerprinter] source
// again without parsing the units it already holds.
type Unit struct {
	Path string
	// Fingerprint identifies the unit's bytes and everything its articles
	// depend on; "" when the unit must be read every time (it has no
	// fingerprint, or what was made of it depends on other units: a
	// duplicate id, a date measured against the clock).
	Fingerprint string
	// Kept says the unit was not read: its fingerprint matched the
	// caller's, whose articles and problems of it stand.
	Kept bool
	// Problems are those of the unit read (none when it was kept).
	Problems []Problem
}

// Held is an article a caller holds from a unit: its id and line.
type Held struct {
	ID   string
	Line int
}

// Known is what the caller of [Fingerprinter.ArticlesSince] holds.
type Known interface {
	// Fingerprint is the fingerprint of the unit at path the caller made
	// its articles from, "" when it holds none.
	Fingerprint(path string) string
	// Articles are the articles the caller holds from that unit, in order.
	Articles(path string) []Held
	// Texts are their texts (Article.Text), asked for only when an
	// addition of a [Multi] must be compared with them.
	Texts(path string) []string
}

// Fingerprinter is a [Source] that can leave out the units a caller
// already holds.
type Fingerprinter interface {
	Source
	// ArticlesSince reads the source as Articles does, except the units
	// whose fingerprint the caller holds (Kept in the result): the
	// articles and problems are those of the units read, and Units lists
	// every unit in the order of the articles. It returns an error wrapping
	// [ErrStale] when a held unit no longer stands as it was (an article
	// read now takes one of its ids); the caller then reads everything.
	ArticlesSince(ctx context.Context, known Known) (Delta, error)
}

// Delta is what [Fingerprinter.ArticlesSince] read.
type Delta struct {
	Articles []Article // of the units read, in path order
	Problems []Problem // of the units read and of the folder walk
	Units    []Unit    // every unit, in path order
}

// ErrStale is returned (wrapped) by [Fingerprinter.ArticlesSince] when
// what the caller holds cannot be kept.
var ErrStale = errors.New("held units are stale")

var (
	_ Fingerprinter = (*Folder)(nil)
	_ Fingerprinter = (*Multi)(nil)
)

// noneKnown holds nothing: every unit is read.
type noneKnown struct{}

func (noneKnown) Fingerprint(string) string { return "" }
func (noneKnown) Articles(string) []Held    { return nil }
func (noneKnown) Texts(string) []string     { return nil }

// fileFingerprint identifies the file at p as the loader would read it:
// its size and modification time, an xxhash of its bytes, and the limits
// that decide what is accepted. The content hash is there because size
// and mtime alone miss edits: copies that keep the mtime (cp -p, rsync
// -t, tar), coarse mtimes (1–2 s on some file systems) and an edit within
// the same tick that keeps the size; xxhash reads at several GB/s, so the
// check costs the reading of the file (~0.5 s for 1 GB from the page
// cache), a small part of parsing it. It returns "" when the file cannot
// be read (the loader then reports it).
func fileFingerprint(fsys fs.FS, p string, opts LoadOptions) string {
	info, err := fs.Stat(fsys, p)
	if err != nil || !info.Mode().IsRegular() {
		return ""
	}
	f, err := fsys.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := xxhash.New()
	n, err := io.Copy(h, f)
	if err != nil || n != info.Size() {
		return ""
	}
	return fmt.Sprintf("f1 %d %d %016x %d %d", info.Size(), info.ModTime().UnixNano(), h.Sum64(), opts.MaxArticleBytes, opts.MaxFileBytes)
}

// ArticlesSince reads the folder, leaving out the files known holds.
func (f *Folder) ArticlesSince(ctx context.Context, known Known) (Delta, error) {
	if known == nil {
		known = noneKnown{}
	}
	if f.Optional {
		if _, err := fs.Stat(f.FS, "."); isMissing(err) {
			return Delta{}, nil
		}
	}
	s := &since{known: known, prefix: f.Prefix}
	c, err := loadSince(ctx, f.FS, f.Hide, f.Options, s)
	if errors.Is(err, ErrStale) {
		return Delta{}, err
	}
	f.prefixed(&c)
	for i := range s.units {
		u := &s.units[i]
		for j := range u.Problems {
			u.Problems[j].Path = f.join(u.Problems[j].Path)
		}
	}
	return Delta{Articles: c.Articles, Problems: c.Problems, Units: s.units}, f.wrapErr(err)
}

// since is the state of a load that leaves out the files known holds.
type since struct {
	known  Known
	prefix string // the Folder's Prefix: held ids and unit paths carry it
	units  []Unit
	kept   int // articles held in kept units
}

func (s *since) name(p string) string {
	if s.prefix == "" {
		return p
	}
	return path.Join(s.prefix, p)
}

// keep reports whether the file at p is held as it is; when it is, its
// ids are marked seen (at their place), or ErrStale returned when one
// already is.
func (s *since) keep(fsys fs.FS, p string, opts LoadOptions, seen map[string]string) (string, bool, error) {
	fp := fileFingerprint(fsys, p, opts)
	name := s.name(p)
	if fp == "" || s.known.Fingerprint(name) != fp {
		return fp, false, nil
	}
	held := s.known.Articles(name)
	for _, h := range held {
		id := h.ID
		if s.prefix != "" {
			id = strings.TrimPrefix(id, s.prefix+"/")
		}
		if _, ok := seen[id]; ok {
			return "", false, fmt.Errorf("load corpus: %s: id %s taken: %w", name, quoteShort(h.ID), ErrStale)
		}
		seen[id] = location(p, h.Line)
	}
	s.kept += len(held)
	s.units = append(s.units, Unit{Path: name, Fingerprint: fp, Kept: true})
	return fp, true, nil
}

// ArticlesSince reads every source as Articles does, leaving out the
// units known holds of the sources that are Fingerprinters; the units of
// the others (and of the additions) are read every time.
func (m *Multi) ArticlesSince(ctx context.Context, known Known) (Delta, error) {
	if known == nil {
		known = noneKnown{}
	}
	var (
		d       Delta
		emptied error
		kept    int
		seen    = make(map[string]string) // id → where it was first seen
		texts   = make(map[string]bool)
		textsOf []string // kept units whose texts are not in texts yet
	)
	read := func(src Source, addition bool) error {
		var (
			as    []Article
			ps    []Problem
			units []Unit
			err   error
		)
		if fp, ok := src.(Fingerprinter); ok && !addition {
			var sd Delta
			sd, err = fp.ArticlesSince(ctx, known)
			as, ps, units = sd.Articles, sd.Problems, sd.Units
		} else {
			as, ps, err = src.Articles(ctx)
			units = unitsOf(as, ps)
		}
		d.Problems = append(d.Problems, ps...)
		switch {
		case errors.Is(err, ErrStale):
			return err
		case errors.Is(err, ErrNoArticles):
			if emptied == nil {
				emptied = err
			}
		case err != nil:
			return err
		}
		at := make(map[string]int, len(units))
		for i, u := range units {
			at[u.Path] = i
			if !u.Kept {
				continue
			}
			held := known.Articles(u.Path)
			for _, h := range held {
				if _, ok := seen[h.ID]; ok {
					return fmt.Errorf("load corpus: %s: id %s taken: %w", u.Path, quoteShort(h.ID), ErrStale)
				}
				seen[h.ID] = location(u.Path, h.Line)
			}
			kept += len(held)
			textsOf = append(textsOf, u.Path)
		}
		for _, a := range as {
			if addition {
				for _, p := range textsOf {
					for _, t := range known.Texts(p) {
						texts[t] = true
					}
				}
				textsOf = nil
				if texts[a.Text] {
					continue
				}
			}
			if first, ok := seen[a.ID]; ok {
				prob := duplicateProblem(a, first)
				d.Problems = append(d.Problems, prob)
				if i, ok := at[a.Path]; ok {
					units[i].Fingerprint = "" // depends on another unit
					units[i].Problems = append(units[i].Problems, prob)
				}
				continue
			}
			seen[a.ID], texts[a.Text] = location(a.Path, a.Line), true
			d.Articles = append(d.Articles, a)
		}
		d.Units = append(d.Units, units...)
		return nil
	}
	for _, src := range m.Sources {
		if err := read(src, false); err != nil {
			return Delta{Problems: d.Problems}, err
		}
	}
	for _, src := range m.Additions {
		if err := read(src, true); err != nil {
			return Delta{Problems: d.Problems}, err
		}
	}
	if err := ctx.Err(); err != nil {
		return Delta{Problems: d.Problems}, fmt.Errorf("load corpus: %w", err)
	}
	slices.SortStableFunc(d.Articles, func(a, b Article) int { return byPath(a.Path, a.Line, b.Path, b.Line) })
	slices.SortStableFunc(d.Problems, func(a, b Problem) int { return byPath(a.Path, a.Line, b.Path, b.Line) })
	slices.SortStableFunc(d.Units, func(a, b Unit) int { return strings.Compare(a.Path, b.Path) })
	if len(d.Articles) == 0 && kept == 0 {
		if emptied == nil {
			emptied = fmt.Errorf("load corpus: %w", ErrNoArticles)
		}
		return Delta{Problems: d.Problems}, emptied
	}
	return d, nil
}

// unitsOf makes the units of a source that is no Fingerprinter: one per
// path of its articles, read every time, with the problems of that path.
func unitsOf(as []Article, ps []Problem) []Unit {
	var units []Unit
	at := make(map[string]int)
	for _, a := range as {
		if _, ok := at[a.Path]; !ok {
			at[a.Path] = len(units)
			units = append(units, Unit{Path: a.Path})
		}
	}
	for _, p := range ps {
		if i, ok := at[p.Path]; ok {
			units[i].Problems = append(units[i].Problems, p)
		}
	}
	return units
}

func byPath(p1 string, l1 int, p2 string, l2 int) int {
	if n := strings.Compare(p1, p2); n != 0 {
		return n
	}
	return l1 - l2
}
