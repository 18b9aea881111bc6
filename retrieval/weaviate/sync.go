package weaviate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/google/uuid"
	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
	"github.com/weaviate/weaviate/entities/models"
	"golang.org/x/sync/errgroup"
)

// batchSize is the number of objects per batch request.
const batchSize = 200

// old is what a sync reuses from the serving version: per chunk id its
// content hash, per hash its vector and arrival.
type old struct {
	byID    map[string]string
	vectors map[string][]float32
	arrived map[string]time.Time
}

// SyncArticles makes the index hold exactly these articles. Chunks whose
// content hash the serving version holds (with the same embedder) keep
// their vector; only new or changed chunks are embedded. The new version
// is written beside the serving one and the alias swapped to it; on error
// what was written is deleted and the old version keeps serving.
func (s *Store) SyncArticles(ctx context.Context, articles []corpus.Article) (retrieval.Report, error) {
	start := time.Now()
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	rep := retrieval.Report{}

	chunks, problems := s.chunkAll(articles)
	rep.Problems = problems
	fp := fingerprint(chunks)

	cur, err := s.current(ctx)
	if err != nil {
		return rep, err
	}
	reuse := cur != nil && !cur.stale && cur.info.Identity == s.identity && cur.info.Chunks > 0
	rep.Rebuilt = !reuse
	if cur != nil && cur.stale {
		s.opts.Log.Warn("weaviate: rebuilding the index written by another khabar", "collection", cur.names.meta)
	}
	if reuse && cur.info.Fingerprint == fp {
		// Nothing changed: the serving version stays, nothing is written.
		rep.Unchanged, rep.Articles, rep.Chunks = len(chunks), cur.info.Articles, cur.info.Chunks
		rep.Duration = time.Since(start)
		return rep, nil
	}
	prev := old{byID: map[string]string{}, vectors: map[string][]float32{}, arrived: map[string]time.Time{}}
	if cur != nil && !cur.stale {
		if prev, err = s.readOld(ctx, cur, reuse); err != nil {
			return rep, err
		}
	}
	var todo []int
	for i, c := range chunks {
		switch h, ok := prev.byID[c.ID]; {
		case !ok:
			rep.Added++
		case h != c.Hash:
			rep.Updated++
		default:
			rep.Unchanged++
		}
		if _, ok := prev.vectors[c.Hash]; !reuse || !ok {
			todo = append(todo, i)
		}
	}
	ids := make(map[string]bool, len(chunks))
	for _, c := range chunks {
		ids[c.ID] = true
	}
	for id := range prev.byID {
		if !ids[id] {
			rep.Removed++
		}
	}
	vecs, err := s.embedChunks(ctx, chunks, todo, prev)
	if err != nil {
		return rep, err
	}
	rep.Embedded = len(todo)
	now := s.opts.Now().UTC().Truncate(time.Second)
	for i := range chunks {
		chunks[i].Arrived = now
		if t, ok := prev.arrived[chunks[i].Hash]; ok && !t.IsZero() {
			chunks[i].Arrived = t
		}
	}

	n := 1
	vs, err := s.collections(ctx)
	if err != nil {
		return rep, err
	}
	for v := range vs {
		n = max(n, v+1)
	}
	nm := s.names(n)
	if err := s.write(ctx, nm, chunks, vecs, fp); err != nil {
		s.discard(nm)
		return rep, err
	}
	if s.afterWrite != nil {
		if err := s.afterWrite(); err != nil {
			s.discard(nm)
			return rep, err
		}
	}
	if err := s.point(ctx, nm, cur != nil); err != nil {
		s.discard(nm)
		return rep, err
	}
	keep := []int{n}
	if cur != nil {
		keep = append(keep, cur.n)
	}
	s.cleanup(ctx, keep...)
	v, err := s.current(ctx)
	if err != nil {
		return rep, err
	}
	if v != nil {
		rep.Articles, rep.Chunks = v.info.Articles, v.info.Chunks
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// discard deletes a version a failed sync was writing (on a context of its
// own: the sync's may be what ended).
func (s *Store) discard(nm names) {
	ctx, cancel := context.WithTimeout(context.Background(), schemaTimeouts*s.opts.Timeout)
	defer cancel()
	for _, c := range nm.all() {
		if err := s.deleteClass(ctx, c); err != nil {
			s.opts.Log.Warn("weaviate: could not delete a half-written version; the next sync removes it", "collection", c, "err", err)
		}
	}
}

// chunkAll chunks the articles in order, dropping repeated ids.
func (s *Store) chunkAll(articles []corpus.Article) ([]retrieval.Chunk, []corpus.Problem) {
	seen := make(map[string]bool, len(articles))
	var problems []corpus.Problem
	var chunks []retrieval.Chunk
	for _, a := range articles {
		if seen[a.ID] {
			problems = append(problems, corpus.Problem{Path: a.Path, Line: a.Line, Reason: fmt.Sprintf("duplicate id %q", a.ID), Skipped: true})
			continue
		}
		seen[a.ID] = true
		chunks = append(chunks, retrieval.ChunkArticle(a, s.opts.Chunk)...)
	}
	return chunks, problems
}

// fingerprint sums up everything a version stores of the chunks (and the
// layout): equal fingerprints, same content.
func fingerprint(chunks []retrieval.Chunk) string {
	h := sha256.New()
	fmt.Fprintf(h, "schema %d\n", schemaVersion)
	for _, c := range chunks {
		fmt.Fprintf(h, "%q %q %d %q %q %q %s %d %d %q %q\n", c.ID, c.ArticleID, c.N, c.Title, c.Source, c.URL, c.Date.Format(time.RFC3339), c.Start, c.End, c.Hash, c.Text)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readOld reads the serving version's chunk hashes and arrivals, and their
// vectors when they can be reused.
func (s *Store) readOld(ctx context.Context, cur *version, vectors bool) (old, error) {
	o := old{byID: map[string]string{}, vectors: map[string][]float32{}, arrived: map[string]time.Time{}}
	fields := "cid hash arrived _additional{id}"
	if vectors {
		fields = "cid hash arrived _additional{id vector}"
	}
	after := ""
	for {
		rctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
		rows, err := s.get(rctx, []sub{{class: cur.names.chunk, after: after, limit: 1000, fields: fields}})
		cancel()
		if err != nil {
			return o, err
		}
		for _, r := range rows[0] {
			h := str(r["hash"])
			o.byID[str(r["cid"])] = h
			if _, ok := o.arrived[h]; !ok {
				o.arrived[h] = date(r["arrived"])
			}
			if vectors {
				if v := vectorOf(r); v != nil {
					o.vectors[h] = v
				}
			}
		}
		if len(rows[0]) < 1000 {
			return o, nil
		}
		after = str(additional(rows[0][len(rows[0])-1])["id"])
	}
}

// embedChunks returns every chunk's normalised vector: reused from prev by
// hash, or embedded (chunks[todo[i]]). A zero vector is nil.
func (s *Store) embedChunks(ctx context.Context, chunks []retrieval.Chunk, todo []int, prev old) ([][]float32, error) {
	out := make([][]float32, len(chunks))
	for i, c := range chunks {
		out[i] = prev.vectors[c.Hash]
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	dim := -1
	var dimErr error
	for lo := 0; lo < len(todo); lo += s.opts.EmbedBatch {
		hi := min(lo+s.opts.EmbedBatch, len(todo))
		g.Go(func() error {
			texts := make([]string, hi-lo)
			for i := lo; i < hi; i++ {
				texts[i-lo] = chunks[todo[i]].EmbedText()
			}
			vs, err := s.embed.Embed(gctx, texts)
			if err != nil {
				return fmt.Errorf("%w: chunks %d–%d: %w", retrieval.ErrEmbedding, lo, hi, err)
			}
			if len(vs) != len(texts) {
				return fmt.Errorf("%w: got %d vectors for %d texts", retrieval.ErrEmbedding, len(vs), len(texts))
			}
			for i, v := range vs {
				nv, ok := retrieval.NormalizeVector(v)
				if ok {
					out[todo[lo+i]] = nv
				} else {
					out[todo[lo+i]] = nil
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, v := range out {
		if v == nil {
			continue
		}
		if dim < 0 {
			dim = len(v)
		} else if len(v) != dim && dimErr == nil {
			dimErr = fmt.Errorf("%w: vectors have %d and %d dimensions", retrieval.ErrEmbedding, dim, len(v))
		}
	}
	return out, dimErr
}

var idSpace = uuid.MustParse("6f1c2f4e-8a53-4d3e-9b0c-6b6e1a0a5e11")

func objectID(kind, id string) string { return uuid.NewSHA1(idSpace, []byte(kind+"\x00"+id)).String() }

// write fills version nm: its collections, every object, and last its
// info, so that a version without info is known to be incomplete.
func (s *Store) write(ctx context.Context, nm names, chunks []retrieval.Chunk, vecs [][]float32, fp string) error {
	if err := s.create(ctx, nm); err != nil {
		return err
	}
	// Articles: chunks of one article are contiguous.
	type art struct{ lo, hi int }
	var arts []art
	for i := range chunks {
		if i == 0 || chunks[i].ArticleID != chunks[i-1].ArticleID {
			arts = append(arts, art{i, i})
		}
		arts[len(arts)-1].hi = i + 1
	}
	chunkVocab := vocab{n: len(chunks), df: map[string]int32{}}
	docVocab := vocab{n: len(arts), df: map[string]int32{}}
	titleVocab := vocab{n: len(arts), df: map[string]int32{}}
	count := func(v vocab, terms []string) {
		seen := make(map[string]bool, len(terms))
		for _, t := range terms {
			if !seen[t] {
				seen[t] = true
				v.df[t]++
			}
		}
	}
	chunkTerms := make([][]string, len(chunks))
	for i, c := range chunks {
		chunkTerms[i] = persian.Terms(c.EmbedText())
		count(chunkVocab, chunkTerms[i])
	}
	docTexts := make([]string, len(arts))
	docTerms := make([][]string, len(arts))
	titleTerms := make([][]string, len(arts))
	rank := map[string]int32{} // article terms by first occurrence, as the in-process ids
	for a, r := range arts {
		docTexts[a] = retrieval.ArticleText(chunks[r.lo:r.hi])
		docTerms[a] = persian.Terms(docTexts[a])
		for _, t := range docTerms[a] {
			if _, ok := rank[t]; !ok {
				rank[t] = int32(len(rank))
			}
		}
		titleTerms[a] = persian.Terms(chunks[r.lo].Title)
		count(docVocab, docTerms[a])
		count(titleVocab, titleTerms[a])
	}

	var objs []*models.Object
	dim := 0
	for i, c := range chunks {
		props := map[string]any{
			"cid": c.ID, "aid": c.ArticleID, "n": c.N, "title": c.Title, "source": c.Source, "url": c.URL,
			"start": c.Start, "end": c.End, "text": c.Text, "hash": c.Hash, "arrived": c.Arrived.Format(time.RFC3339),
			"terms": strings.Join(chunkTerms[i], " "), "length": len(chunkTerms[i]),
		}
		if !c.Date.IsZero() {
			props["date"] = c.Date.UTC().Format(time.RFC3339)
		}
		o := &models.Object{Class: nm.chunk, ID: strfmtUUID(objectID("chunk", c.ID)), Properties: props}
		if vecs[i] != nil {
			o.Vector = vecs[i]
			dim = len(vecs[i])
		}
		objs = append(objs, o)
	}
	var earliest, latest time.Time
	for a, r := range arts {
		first := chunks[r.lo]
		arrived := first.Arrived
		var sum []float32
		for i := r.lo; i < r.hi; i++ {
			if chunks[i].Arrived.After(arrived) {
				arrived = chunks[i].Arrived
			}
			if vecs[i] != nil {
				if sum == nil {
					sum = make([]float32, len(vecs[i]))
				}
				for j, x := range vecs[i] {
					sum[j] += x
				}
			}
		}
		sig := retrieval.Signature(docTexts[a], docVocab.idf, func(t string) int32 { return rank[t] })
		sigJSON, _ := json.Marshal(sig)
		props := map[string]any{
			"aid": first.ArticleID, "title": first.Title, "source": first.Source, "url": first.URL,
			"text": docTexts[a][len(first.Title)+1:], "arrived": arrived.Format(time.RFC3339),
			"terms": strings.Join(docTerms[a], " "), "length": len(docTerms[a]), "signature": string(sigJSON),
		}
		if d := first.Date; !d.IsZero() {
			props["date"] = d.UTC().Format(time.RFC3339)
			if earliest.IsZero() || d.Before(earliest) {
				earliest = d
			}
			if d.After(latest) {
				latest = d
			}
		}
		o := &models.Object{Class: nm.article, ID: strfmtUUID(objectID("article", first.ArticleID)), Properties: props}
		if sum != nil {
			if v, ok := retrieval.NormalizeVector(sum); ok {
				o.Vector = v
			}
		}
		objs = append(objs, o,
			&models.Object{Class: nm.title, ID: strfmtUUID(objectID("title", first.ArticleID)),
				Properties: map[string]any{"aid": first.ArticleID, "terms": strings.Join(titleTerms[a], " "), "length": len(titleTerms[a])}})
	}
	pages, err := encodePages(chunkVocab, docVocab, titleVocab)
	if err != nil {
		return fmt.Errorf("weaviate: vocabulary: %w", err)
	}
	for i, p := range pages {
		objs = append(objs, &models.Object{Class: nm.meta, ID: strfmtUUID(objectID("lexicon", fmt.Sprint(i))),
			Properties: map[string]any{"kind": "lexicon", "page": i, "data": p}})
	}
	if err := s.insert(ctx, objs); err != nil {
		return err
	}
	inf := info{Schema: schemaVersion, Identity: s.identity, Dim: dim, Articles: len(arts), Chunks: len(chunks),
		Built: time.Now().UTC(), Earliest: earliest, Latest: latest, Fingerprint: fp, Pages: len(pages),
		AvgArticle: mean(docTerms), AvgTitle: mean(titleTerms), AvgChunk: mean(chunkTerms)}
	data, _ := json.Marshal(inf)
	return s.insert(ctx, []*models.Object{{Class: nm.meta, ID: strfmtUUID(objectID("info", "")),
		Properties: map[string]any{"kind": "info", "page": 0, "data": string(data)}}})
}

// insert writes objects in batches, two at a time; any object Weaviate
// refuses fails the whole write.
func (s *Store) insert(ctx context.Context, objs []*models.Object) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	for lo := 0; lo < len(objs); lo += batchSize {
		part := objs[lo:min(lo+batchSize, len(objs))]
		g.Go(func() error {
			bctx, cancel := context.WithTimeout(gctx, batchTimeouts*s.opts.Timeout)
			defer cancel()
			resp, err := s.client.Batch().ObjectsBatcher().WithObjects(part...).Do(bctx)
			if err != nil {
				return s.wrap("write objects", err)
			}
			for _, r := range resp {
				if r.Result != nil && r.Result.Errors != nil && len(r.Result.Errors.Error) > 0 {
					return fmt.Errorf("weaviate: write object %s: %s", r.ID, r.Result.Errors.Error[0].Message)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

func strfmtUUID(s string) strfmt.UUID { return strfmt.UUID(s) }

// mean is the mean length of texts in terms, as BM25 takes it (1 for none).
func mean(texts [][]string) float64 {
	total := 0
	for _, t := range texts {
		total += len(t)
	}
	if len(texts) == 0 || total == 0 {
		return 1
	}
	return float64(total) / float64(len(texts))
}
