package weaviate

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/khabar/khabar/retrieval"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/alias"
	"github.com/weaviate/weaviate/entities/models"
)

// schemaVersion is the layout this khabar writes. A serving version with
// another one was written by an older (or newer) khabar: it is not
// searched, and the next sync rebuilds it from scratch, with a log line.
const schemaVersion = 1

// info describes one version; it is stored in the version's Meta
// collection.
type info struct {
	Schema      int       `json:"schema"`
	Identity    string    `json:"identity"`
	Dim         int       `json:"dim"`
	Articles    int       `json:"articles"`
	Chunks      int       `json:"chunks"`
	Built       time.Time `json:"built"`
	Earliest    time.Time `json:"earliest"`
	Latest      time.Time `json:"latest"`
	Fingerprint string    `json:"fingerprint"`
	Pages       int       `json:"pages"`
	// AvgArticle, AvgTitle and AvgChunk are the fields' mean lengths in
	// terms, for BM25.
	AvgArticle float64 `json:"avgArticle"`
	AvgTitle   float64 `json:"avgTitle"`
	AvgChunk   float64 `json:"avgChunk"`
}

// version is a complete, immutable version of the index as a reader sees
// it: its collections and the vocabulary stored with it.
type version struct {
	n     int
	names names
	info  info
	// stale is set when the version was written with another schema.
	stale bool
	// chunkVocab, docVocab and titleVocab are the document frequencies of
	// the three BM25 fields.
	chunkVocab, docVocab, titleVocab vocab
}

// names are one version's collection names.
type names struct{ article, title, chunk, meta string }

func (s *Store) names(n int) names {
	p := s.opts.Prefix + "V" + strconv.Itoa(n)
	return names{article: p + "Article", title: p + "Title", chunk: p + "Chunk", meta: p + "Meta"}
}

func (nm names) all() []string { return []string{nm.article, nm.title, nm.chunk, nm.meta} }

func (s *Store) aliasName() string { return s.opts.Prefix + "Current" }

// versionOf parses n from a collection name <Prefix>V<n><Kind>; -1 when
// the name is not one of this store's.
func (s *Store) versionOf(class string) int {
	rest, ok := strings.CutPrefix(class, s.opts.Prefix+"V")
	if !ok {
		return -1
	}
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(rest[:i])
	if err != nil {
		return -1
	}
	switch rest[i:] {
	case "Article", "Title", "Chunk", "Meta":
		return n
	}
	return -1
}

// vocab is one field's vocabulary: texts, and document frequency by term.
type vocab struct {
	n  int
	df map[string]int32
}

func (v vocab) Texts() int { return v.n }

func (v vocab) DF(t string) int { return int(v.df[t]) }

func (v vocab) idf(t string) float64 { return retrieval.IDF(v.n, v.DF(t)) }

var _ retrieval.Vocabulary = vocab{}

// lexiconPage is a page of the stored vocabulary: per term, its document
// frequency over chunks, articles and titles.
type lexiconPage struct {
	Terms []string `json:"t"`
	Chunk []int32  `json:"c"`
	Doc   []int32  `json:"d"`
	Title []int32  `json:"i"`
}

// pageTerms is how many terms one stored page holds.
const pageTerms = 20000

// encodePages splits the three vocabularies into stored pages (gzip, then
// base64: Weaviate text properties are strings).
func encodePages(chunk, doc, title vocab) ([]string, error) {
	terms := make([]string, 0, len(chunk.df)+len(doc.df))
	seen := map[string]bool{}
	for _, m := range []map[string]int32{chunk.df, doc.df, title.df} {
		for t := range m {
			if !seen[t] {
				seen[t] = true
				terms = append(terms, t)
			}
		}
	}
	sort.Strings(terms)
	var pages []string
	for lo := 0; lo < len(terms) || lo == 0; lo += pageTerms {
		hi := min(lo+pageTerms, len(terms))
		p := lexiconPage{Terms: terms[lo:hi]}
		for _, t := range p.Terms {
			p.Chunk = append(p.Chunk, chunk.df[t])
			p.Doc = append(p.Doc, doc.df[t])
			p.Title = append(p.Title, title.df[t])
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if err := json.NewEncoder(zw).Encode(p); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		pages = append(pages, base64.StdEncoding.EncodeToString(buf.Bytes()))
		if hi == len(terms) {
			break
		}
	}
	return pages, nil
}

func decodePage(data string, v *version) error {
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	var p lexiconPage
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if len(p.Chunk) != len(p.Terms) || len(p.Doc) != len(p.Terms) || len(p.Title) != len(p.Terms) {
		return fmt.Errorf("page has %d terms, %d/%d/%d frequencies", len(p.Terms), len(p.Chunk), len(p.Doc), len(p.Title))
	}
	for i, t := range p.Terms {
		if p.Chunk[i] > 0 {
			v.chunkVocab.df[t] = p.Chunk[i]
		}
		if p.Doc[i] > 0 {
			v.docVocab.df[t] = p.Doc[i]
		}
		if p.Title[i] > 0 {
			v.titleVocab.df[t] = p.Title[i]
		}
	}
	return nil
}

// current resolves the alias and returns the serving version, loading its
// vocabulary when it is new to this process; nil when there is none.
//
// The alias lives in Weaviate's schema, which is Raft-replicated: with the
// cluster short of a quorum (one of two nodes down) it cannot be read,
// while the data still can. Then the version last resolved keeps serving,
// with a warning.
func (s *Store) current(ctx context.Context) (*version, error) {
	actx, cancel := context.WithTimeout(ctx, min(s.opts.Timeout/4, 2*time.Second))
	got, err := s.client.Alias().AliasGetter().WithAliasName(s.aliasName()).Do(actx)
	cancel()
	if err != nil {
		if isNotFound(err) {
			s.cur.Store(nil)
			return nil, nil
		}
		err = s.wrap("resolve alias", err)
		if v := s.cur.Load(); v != nil && ctx.Err() == nil && errors.Is(err, ErrUnavailable) {
			s.opts.Log.Warn("weaviate: the alias cannot be read; serving the version last seen", "version", v.n, "err", err)
			return v, nil
		}
		return nil, err
	}
	n := s.versionOf(got.Class)
	if n < 0 {
		return nil, fmt.Errorf("weaviate: alias %s points at %q, not a collection of this store", s.aliasName(), got.Class)
	}
	if v := s.cur.Load(); v != nil && v.n == n {
		return v, nil
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if v := s.cur.Load(); v != nil && v.n == n {
		return v, nil
	}
	v, err := s.load(ctx, n)
	if err != nil {
		return nil, err
	}
	s.cur.Store(v)
	return v, nil
}

// isNotFound reports a 404 from the client.
func isNotFound(err error) bool {
	return strings.Contains(err.Error(), "status code: 404")
}

// load reads version n's info and vocabulary.
func (s *Store) load(ctx context.Context, n int) (*version, error) {
	v := &version{n: n, names: s.names(n)}
	rows, err := s.get(ctx, []sub{{class: v.names.meta, fields: "kind page data", limit: maxResults}})
	if err != nil {
		return nil, err
	}
	v.chunkVocab.df, v.docVocab.df, v.titleVocab.df = map[string]int32{}, map[string]int32{}, map[string]int32{}
	var pages []map[string]any
	found := false
	for _, r := range rows[0] {
		switch str(r["kind"]) {
		case "info":
			if err := json.Unmarshal([]byte(str(r["data"])), &v.info); err != nil {
				return nil, fmt.Errorf("weaviate: version %d info: %w", n, err)
			}
			found = true
		case "lexicon":
			pages = append(pages, r)
		}
	}
	if !found || v.info.Schema != schemaVersion {
		v.stale = true
		s.opts.Log.Warn("weaviate: the serving index was written by another khabar (schema differs): it is not searched, the next sync rebuilds it",
			"collection", v.names.meta, "schema", v.info.Schema, "want", schemaVersion)
		return v, nil
	}
	if len(pages) != v.info.Pages {
		return nil, fmt.Errorf("weaviate: version %d has %d vocabulary pages, its info says %d", n, len(pages), v.info.Pages)
	}
	for _, p := range pages {
		if err := decodePage(str(p["data"]), v); err != nil {
			return nil, fmt.Errorf("weaviate: version %d vocabulary: %w", n, err)
		}
	}
	v.chunkVocab.n, v.docVocab.n, v.titleVocab.n = v.info.Chunks, v.info.Articles, v.info.Articles
	return v, nil
}

func boolp(b bool) *bool { return &b }

// textProp is a text property: kept, not indexed.
func textProp(name string) *models.Property {
	return &models.Property{Name: name, DataType: []string{"text"}, IndexFilterable: boolp(false), IndexSearchable: boolp(false)}
}

// keyProp is an exact-match filterable text property (ids).
func keyProp(name string) *models.Property {
	return &models.Property{Name: name, DataType: []string{"text"}, Tokenization: "field", IndexFilterable: boolp(true), IndexSearchable: boolp(false)}
}

// termsProp holds khabar's canonical terms, space-separated: BM25 over it
// tokenises on whitespace only.
func termsProp() *models.Property {
	return &models.Property{Name: "terms", DataType: []string{"text"}, Tokenization: "whitespace", IndexFilterable: boolp(false), IndexSearchable: boolp(true)}
}

func intProp(name string) *models.Property {
	return &models.Property{Name: name, DataType: []string{"int"}, IndexFilterable: boolp(false), IndexRangeFilters: boolp(false)}
}

func dateProp(name string) *models.Property {
	return &models.Property{Name: name, DataType: []string{"date"}, IndexFilterable: boolp(true), IndexRangeFilters: boolp(true)}
}

// classes returns version n's collection definitions.
func (s *Store) classes(nm names) []*models.Class {
	rk := s.opts.Ranking
	inv := func(p retrieval.BM25Params) *models.InvertedIndexConfig {
		return &models.InvertedIndexConfig{
			Bm25:      &models.BM25Config{K1: float32(p.K1), B: float32(p.B)},
			Stopwords: &models.StopwordConfig{Preset: "none"},
		}
	}
	skip := map[string]any{"skip": true, "distance": "cosine"}
	shard := map[string]any{"desiredCount": s.opts.Shards}
	repl := &models.ReplicationConfig{Factor: int64(s.opts.Replicas)}
	return []*models.Class{
		{
			Class: nm.article, Vectorizer: "none", VectorIndexConfig: skip, InvertedIndexConfig: inv(rk.Article),
			ShardingConfig: shard, ReplicationConfig: repl,
			Properties: []*models.Property{keyProp("aid"), textProp("title"), textProp("source"), textProp("url"), textProp("text"),
				dateProp("date"), dateProp("arrived"), termsProp(), intProp("length"), textProp("signature")},
		},
		{
			Class: nm.title, Vectorizer: "none", VectorIndexConfig: skip, InvertedIndexConfig: inv(rk.Title),
			ShardingConfig: shard, ReplicationConfig: repl,
			Properties: []*models.Property{keyProp("aid"), termsProp(), intProp("length")},
		},
		{
			Class: nm.chunk, Vectorizer: "none", InvertedIndexConfig: inv(rk.Passage),
			VectorIndexType:   "hnsw",
			VectorIndexConfig: map[string]any{"distance": "cosine", "ef": 256, "efConstruction": 128, "maxConnections": 32},
			ShardingConfig:    shard, ReplicationConfig: repl,
			Properties: []*models.Property{keyProp("cid"), keyProp("aid"), intProp("n"), textProp("title"), textProp("source"), textProp("url"),
				dateProp("date"), intProp("start"), intProp("end"), textProp("text"), textProp("hash"), dateProp("arrived"), termsProp(), intProp("length")},
		},
		{
			Class: nm.meta, Vectorizer: "none", VectorIndexConfig: skip, ShardingConfig: map[string]any{"desiredCount": 1}, ReplicationConfig: repl,
			Properties: []*models.Property{keyProp("kind"), intProp("page"), textProp("data")},
		},
	}
}

// create makes version n's collections, replacing leftovers of a failed
// sync under the same names.
func (s *Store) create(ctx context.Context, nm names) error {
	for _, c := range s.classes(nm) {
		if err := s.deleteClass(ctx, c.Class); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, schemaTimeouts*s.opts.Timeout)
		err := s.client.Schema().ClassCreator().WithClass(c).Do(ctx)
		cancel()
		if err != nil {
			return s.wrap("create collection "+c.Class, err)
		}
	}
	return nil
}

func (s *Store) deleteClass(ctx context.Context, class string) error {
	ctx, cancel := context.WithTimeout(ctx, schemaTimeouts*s.opts.Timeout)
	defer cancel()
	err := s.client.Schema().ClassDeleter().WithClassName(class).Do(ctx)
	if err != nil && !isNotFound(err) {
		return s.wrap("delete collection "+class, err)
	}
	return nil
}

// point makes the alias name version nm (creating it the first time):
// the one step that switches readers to a new version.
func (s *Store) point(ctx context.Context, nm names, exists bool) error {
	ctx, cancel := context.WithTimeout(ctx, schemaTimeouts*s.opts.Timeout)
	defer cancel()
	a := &alias.Alias{Alias: s.aliasName(), Class: nm.meta}
	var err error
	if exists {
		err = s.client.Alias().AliasUpdater().WithAlias(a).Do(ctx)
	} else {
		err = s.client.Alias().AliasCreator().WithAlias(a).Do(ctx)
	}
	return s.wrap("point alias", err)
}

// collections lists this store's collections by version.
func (s *Store) collections(ctx context.Context) (map[int][]string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	dump, err := s.client.Schema().Getter().Do(ctx)
	if err != nil {
		return nil, s.wrap("read schema", err)
	}
	out := map[int][]string{}
	for _, c := range dump.Classes {
		if n := s.versionOf(c.Class); n >= 0 {
			out[n] = append(out[n], c.Class)
		}
	}
	return out, nil
}

// cleanup deletes every version but keep (readers that resolved a version
// just before a swap finish on it, so the one replaced is kept until the
// next sync).
func (s *Store) cleanup(ctx context.Context, keep ...int) {
	vs, err := s.collections(ctx)
	if err != nil {
		s.opts.Log.Warn("weaviate: clean-up skipped", "err", err)
		return
	}
	for n, classes := range vs {
		if contains(keep, n) {
			continue
		}
		for _, c := range classes {
			if err := s.deleteClass(ctx, c); err != nil {
				s.opts.Log.Warn("weaviate: clean-up", "collection", c, "err", err)
			}
		}
	}
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// Drop deletes every collection and the alias of this store (the
// evaluation's throwaway indexes).
func (s *Store) Drop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, schemaTimeouts*s.opts.Timeout)
	defer cancel()
	err := s.client.Alias().AliasDeleter().WithAliasName(s.aliasName()).Do(ctx)
	if err != nil && !isNotFound(err) {
		return s.wrap("delete alias", err)
	}
	vs, err := s.collections(ctx)
	if err != nil {
		return err
	}
	for _, classes := range vs {
		for _, c := range classes {
			if err := s.deleteClass(ctx, c); err != nil {
				return err
			}
		}
	}
	s.cur.Store(nil)
	return nil
}
