package weaviate

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// A search ranks like the in-process index, in rounds of one GraphQL
// request each:
//
//  1. candidates: the best articles by article BM25 and by title BM25, the
//     chunks nearest the question, and the passages best by BM25 (for the
//     passage normalisation);
//  2. exact signals for every candidate (filtered to them): article and
//     title BM25, the best chunk similarity;
//  3. the signatures of the ten best, stored with the articles, for the
//     pseudo-relevance feedback; 4. the articles the expansion finds;
//  5. the expansion's BM25 over all candidates;
//  6. the chunks of the k best articles with their similarity and passage
//     BM25, for passage choice and coverage.
//
// Weaviate finds the texts that have the terms and says, per text and
// term, the term's frequency (explainScore); the BM25 score is computed
// here from it, the text's length in terms and the field's mean length
// (both stored by khabar), with the in-process index's per-term weights
// (idf, variants at a discount, synonyms, feedback shares). Weaviate's own
// BM25 score only orders the candidate lists: v1.35 with
// USE_INVERTED_SEARCHABLE=false measures a text's length in distinct
// terms, not in terms, so its scores differ from the reference's.

// weights maps the terms scored in one field to their weight; terms no
// text of the field has are dropped (they score nothing).
func weights(terms []string, ws []float64, v vocab) map[string]float64 {
	out := map[string]float64{}
	for i, t := range terms {
		if v.DF(t) > 0 {
			out[t] += ws[i]
		}
	}
	return out
}

func keys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for t := range m {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// field is one BM25 field: its weights for this search, constants and
// mean length.
type field struct {
	w   map[string]float64
	p   retrieval.BM25Params
	avg float64
}

// frequencies parses explainScore: per query term, its frequency in the
// text («, BM25F_<term>_frequency:9, BM25F_<term>_propLength:107»).
func frequencies(r map[string]any) map[string]float64 {
	out := map[string]float64{}
	for _, part := range strings.Split(str(additional(r)["explainScore"]), ", ") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(part), "BM25F_")
		if !ok {
			continue
		}
		i := strings.LastIndex(rest, "_frequency:")
		if i < 0 {
			continue
		}
		f, err := strconv.ParseFloat(rest[i+len("_frequency:"):], 64)
		if err == nil && f > 0 {
			out[rest[:i]] = f
		}
	}
	return out
}

// score is the in-process BM25 of one text: Σ weight · tf·(k1+1) /
// (tf + k1·(1 − b + b·len/avg)), summed in float32 as the reference does.
func (f field) score(r map[string]any) (float64, map[string]float64) {
	tfs := frequencies(r)
	n := float64(num(r["length"]))
	k1, b := f.p.K1, f.p.B
	var s float32
	for t, tf := range tfs {
		w, ok := f.w[t]
		if !ok {
			continue
		}
		norm := k1 * (1 - b + b*n/f.avg)
		s += float32(w * tf * (k1 + 1) / (tf + norm))
	}
	return float64(s), tfs
}

// signals are one article's ranking inputs.
type signals struct {
	doc, title, exp float64
	dense           float64 // best chunk similarity; -1: none
	date            time.Time
	// known marks the signals already exact: an article in a round-1 list
	// has that list's signal (the first chunk of an article in the nearest
	// chunks is its nearest).
	docKnown, titleKnown, denseKnown bool
}

// searcher holds one search's state.
type searcher struct {
	s      *Store
	v      *version
	qv     []float32
	art    field // article BM25
	title  field // title BM25 (weighted by article idf, as in-process)
	chunk  field // passage BM25
	exp    field // feedback expansion over articles
	arts   map[string]*signals
	order  []string // articles in the order they became candidates
	top20  []string // the passages best by unweighted BM25
	rk     retrieval.Ranking
	filter bool
}

func (sr *searcher) add(aid string) *signals {
	a, ok := sr.arts[aid]
	if !ok {
		a = &signals{dense: -1}
		sr.arts[aid] = a
		sr.order = append(sr.order, aid)
	}
	return a
}

// Search finds the passages that best answer q, ranked as the in-process
// index ranks them. An empty index or question finds nothing, without an
// error; Weaviate down or too slow is an error wrapping [ErrUnavailable].
func (s *Store) Search(ctx context.Context, q retrieval.Query) (retrieval.Result, error) {
	if persian.Canonical(q.Text) == "" {
		return retrieval.Result{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	v, err := s.current(ctx)
	if err != nil {
		return retrieval.Result{}, err
	}
	if v == nil || v.stale || v.info.Chunks == 0 {
		return retrieval.Result{}, nil
	}
	k := q.K
	if k <= 0 {
		k = 5
	}
	per := q.PerArticle
	if per <= 0 {
		per = 2
	}
	k = min(k, v.info.Chunks)
	rk := s.opts.Ranking
	plan := retrieval.PlanQuery(v.chunkVocab, v.docVocab, q.Text)
	if plan.Text == "" {
		return retrieval.Result{}, nil
	}
	res := plan.Result
	sr := &searcher{s: s, v: v, rk: rk, arts: map[string]*signals{}, filter: !q.From.IsZero() || !q.To.IsZero()}
	if v.info.Dim > 0 && rk.DenseWeight > 0 {
		vs, err := s.embed.Embed(ctx, []string{plan.Text})
		switch {
		case err != nil && ctx.Err() != nil:
			return retrieval.Result{}, s.unavailable(ctx.Err())
		case err != nil:
			res.Degraded = fmt.Errorf("%w: question: %w", retrieval.ErrEmbedding, err)
		case len(vs) != 1:
			res.Degraded = fmt.Errorf("%w: got %d vectors for the question", retrieval.ErrEmbedding, len(vs))
		case len(vs[0]) != v.info.Dim:
			res.Degraded = fmt.Errorf("%w: question vector has %d dimensions, index %d", retrieval.ErrEmbedding, len(vs[0]), v.info.Dim)
		default:
			if qv, ok := retrieval.NormalizeVector(vs[0]); ok {
				sr.qv = qv
			}
		}
	}
	sr.art = field{w: weights(plan.ArticleTerms, plan.ArticleIDFs, v.docVocab), p: rk.Article, avg: v.info.AvgArticle}
	sr.title = field{p: rk.Title, avg: v.info.AvgTitle}
	if rk.TitleWeight > 0 {
		sr.title.w = weights(plan.ArticleTerms, plan.ArticleIDFs, v.titleVocab)
	}
	sr.chunk = field{w: weights(plan.Terms, plan.IDFs, v.chunkVocab), p: rk.Passage, avg: v.info.AvgChunk}
	sr.exp = field{p: rk.Article, avg: v.info.AvgArticle}

	if err := sr.candidates(ctx, k, q.From, q.To); err != nil {
		return retrieval.Result{}, err
	}
	if err := sr.exact(ctx, sr.order, false); err != nil {
		return retrieval.Result{}, err
	}
	scores := sr.fuse()
	if rk.FeedbackWeight > 0 {
		if scores, err = sr.feedback(ctx, plan.DocTerms, scores, k); err != nil {
			return retrieval.Result{}, err
		}
	}
	keep := func(a *signals) bool { return true }
	if sr.filter {
		from, to := dateOnly0(q.From), dateOnly0(q.To)
		keep = func(a *signals) bool {
			d := a.date
			return !d.IsZero() && (from.IsZero() || !d.Before(from)) && (to.IsZero() || !d.After(to))
		}
		sr.preferRecent(scores, q.From, q.To)
	}
	type ranked struct {
		aid   string
		score float32
	}
	var top []ranked
	for _, aid := range sr.order {
		if sc := scores[aid]; sc > 0 && keep(sr.arts[aid]) {
			top = append(top, ranked{aid, sc})
		}
	}
	sort.SliceStable(top, func(i, j int) bool {
		if top[i].score != top[j].score {
			return top[i].score > top[j].score
		}
		return top[i].aid < top[j].aid
	})
	top = top[:min(len(top), k)]
	if len(top) == 0 {
		return res, nil
	}
	ids := make([]string, len(top))
	for i, t := range top {
		ids[i] = t.aid
	}
	byArt, lex, tfs, maxLex, err := sr.passages(ctx, ids)
	if err != nil {
		return retrieval.Result{}, err
	}
	for _, t := range top {
		cs := byArt[t.aid]
		for _, pc := range sr.bestChunks(cs, per, lex, maxLex) {
			c := cs[pc]
			p := retrieval.Passage{Chunk: c.Chunk, Score: float64(t.score), Lexical: float64(float32(lex[c.ID]))}
			if sr.qv != nil {
				p.Dense = float64(float32(c.dense))
			}
			if res.QueryWeight > 0 {
				var w float64
				for i := range plan.AsKnown {
					if tfs[c.ID][plan.Terms[i]] > 0 {
						w += plan.IDFs[i]
					}
				}
				p.Coverage = w / res.QueryWeight
			}
			if pc > 0 && len(res.Passages) < retrieval.BeforeLimit {
				p.Before, p.BeforeStart = retrieval.BeforeSentence(cs[pc-1].Chunk)
			}
			res.Passages = append(res.Passages, p)
			if len(res.Passages) == k {
				retrieval.ScoreRelevance(&res)
				return res, nil
			}
		}
	}
	retrieval.ScoreRelevance(&res)
	return res, nil
}

func dateOnly0(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return dateOnly(t)
}

// bm25Fields are the fields a BM25 row brings for field.score.
const bm25Fields = "length _additional{explainScore}"

// candidates runs round 1.
func (sr *searcher) candidates(ctx context.Context, k int, from, to time.Time) error {
	nm := sr.v.names
	n := max(sr.s.opts.Candidates, 2*k)
	dates := whereDates("date", from, to)
	type kind int
	const (
		art kind = iota
		title
		near
		top20
	)
	var subs []sub
	var kinds []kind
	if len(sr.art.w) > 0 {
		subs = append(subs, sub{class: nm.article, bm25: keys(sr.art.w), limit: n, fields: "aid date " + bm25Fields})
		kinds = append(kinds, art)
		if dates != "" {
			subs = append(subs, sub{class: nm.article, bm25: keys(sr.art.w), where: dates, limit: n, fields: "aid date " + bm25Fields})
			kinds = append(kinds, art)
		}
	}
	if len(sr.title.w) > 0 {
		subs = append(subs, sub{class: nm.title, bm25: keys(sr.title.w), limit: n, fields: "aid " + bm25Fields})
		kinds = append(kinds, title)
	}
	if sr.qv != nil {
		subs = append(subs, sub{class: nm.chunk, vector: sr.qv, limit: 2 * n, fields: "aid date _additional{distance}"})
		kinds = append(kinds, near)
		if dates != "" {
			subs = append(subs, sub{class: nm.chunk, vector: sr.qv, where: dates, limit: 2 * n, fields: "aid date _additional{distance}"})
			kinds = append(kinds, near)
		}
	}
	if len(sr.chunk.w) > 0 {
		subs = append(subs, sub{class: nm.chunk, bm25: keys(sr.chunk.w), limit: 20, fields: "cid"})
		kinds = append(kinds, top20)
	}
	rows, err := sr.s.get(ctx, subs)
	if err != nil {
		return err
	}
	for i, rs := range rows {
		for _, r := range rs {
			if kinds[i] == top20 {
				sr.top20 = append(sr.top20, str(r["cid"]))
				continue
			}
			a := sr.add(str(r["aid"]))
			if d := date(r["date"]); !d.IsZero() {
				a.date = d
			}
			switch kinds[i] {
			case art:
				a.doc, _ = sr.art.score(r)
				a.docKnown = true
			case title:
				a.title, _ = sr.title.score(r)
				a.titleKnown = true
			}
		}
		if kinds[i] == near {
			// Within one list, an article's first chunk is its nearest.
			seen := map[string]bool{}
			for _, r := range rs {
				aid := str(r["aid"])
				if a := sr.arts[aid]; !seen[aid] {
					seen[aid] = true
					a.dense = max(a.dense, similarity(r))
					a.denseKnown = true
				}
			}
		}
	}
	return nil
}

// exact reads the signals of articles ids (round 2), or with exp their
// expansion scores.
func (sr *searcher) exact(ctx context.Context, ids []string, exp bool) error {
	subs, parse := sr.exactSubs(ids, exp)
	rows, err := sr.s.get(ctx, subs)
	if err != nil {
		return err
	}
	parse(rows)
	return nil
}

func (sr *searcher) exactSubs(ids []string, exp bool) ([]sub, func([][]map[string]any)) {
	if len(ids) == 0 {
		return nil, func([][]map[string]any) {}
	}
	nm := sr.v.names
	in := whereIn("aid", ids)
	var subs []sub
	var kinds []int // 0 article, 1 title, 2 dense, 3 expansion
	need := func(known func(*signals) bool) []string {
		var out []string
		for _, id := range ids {
			if a := sr.arts[id]; a == nil || !known(a) {
				out = append(out, id)
			}
		}
		return out
	}
	if !exp {
		if ids := need(func(a *signals) bool { return a.docKnown }); len(sr.art.w) > 0 && len(ids) > 0 {
			subs = append(subs, sub{class: nm.article, bm25: keys(sr.art.w), where: whereIn("aid", ids), limit: len(ids), fields: "aid date " + bm25Fields})
			kinds = append(kinds, 0)
		}
		if ids := need(func(a *signals) bool { return a.titleKnown }); len(sr.title.w) > 0 && len(ids) > 0 {
			subs = append(subs, sub{class: nm.title, bm25: keys(sr.title.w), where: whereIn("aid", ids), limit: len(ids), fields: "aid " + bm25Fields})
			kinds = append(kinds, 1)
		}
		if ids := need(func(a *signals) bool { return a.denseKnown }); sr.qv != nil && len(ids) > 0 {
			subs = append(subs, sub{class: nm.chunk, vector: sr.qv, where: whereIn("aid", ids), limit: maxResults, fields: "aid date _additional{distance}"})
			kinds = append(kinds, 2)
		}
	} else if len(sr.exp.w) > 0 {
		subs = append(subs, sub{class: nm.article, bm25: keys(sr.exp.w), where: in, limit: len(ids), fields: "aid " + bm25Fields})
		kinds = append(kinds, 3)
	}
	return subs, func(rows [][]map[string]any) {
		for i, rs := range rows {
			for _, r := range rs {
				a := sr.add(str(r["aid"]))
				if d := date(r["date"]); !d.IsZero() {
					a.date = d
				}
				switch kinds[i] {
				case 0:
					a.doc, _ = sr.art.score(r)
				case 1:
					a.title, _ = sr.title.score(r)
				case 2:
					a.dense = max(a.dense, similarity(r))
				case 3:
					a.exp, _ = sr.exp.score(r)
				}
			}
		}
	}
}

// fuse is the in-process articleScores over the candidates.
func (sr *searcher) fuse() map[string]float32 {
	dmax, tmax := 1e-9, 1e-9
	for _, a := range sr.arts {
		dmax = max(dmax, float64(float32(a.doc)))
		tmax = max(tmax, float64(float32(a.title)))
	}
	out := make(map[string]float32, len(sr.arts))
	for aid, a := range sr.arts {
		s := float64(float32(a.doc)) / dmax
		if t := float32(a.title); t > 0 {
			s += sr.rk.TitleWeight * float64(t) / tmax
		}
		if sr.qv != nil && a.dense > 0 {
			s += sr.rk.DenseWeight * float64(float32(a.dense))
		}
		out[aid] = float32(s)
	}
	return out
}

// best returns the n best-scored candidates, best first.
func best(scores map[string]float32, n int) []string {
	var ids []string
	for aid, s := range scores {
		if s > 0 {
			ids = append(ids, aid)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		if scores[ids[i]] != scores[ids[j]] {
			return scores[ids[i]] > scores[ids[j]]
		}
		return ids[i] < ids[j]
	})
	return ids[:min(n, len(ids))]
}

// feedback is the in-process pseudo-relevance feedback (rounds 3–5).
func (sr *searcher) feedback(ctx context.Context, docTerms []string, scores map[string]float32, k int) (map[string]float32, error) {
	tops := best(scores, sr.rk.FeedbackDocs)
	if len(tops) == 0 {
		return scores, nil
	}
	rows, err := sr.s.get(ctx, []sub{{class: sr.v.names.article, where: whereIn("aid", tops), limit: len(tops), fields: "aid signature"}})
	if err != nil {
		return nil, err
	}
	sigOf := map[string][]retrieval.WeightedTerm{}
	for _, r := range rows[0] {
		var sig []retrieval.WeightedTerm
		if err := json.Unmarshal([]byte(str(r["signature"])), &sig); err != nil {
			return nil, fmt.Errorf("weaviate: signature of %s: %w", str(r["aid"]), err)
		}
		sigOf[str(r["aid"])] = sig
	}
	sigs := make([][]retrieval.WeightedTerm, len(tops))
	for i, aid := range tops {
		sigs[i] = sigOf[aid]
	}
	exp := retrieval.FeedbackTerms(sigs, docTerms, sr.rk)
	if len(exp) == 0 {
		return scores, nil
	}
	sr.exp.w = map[string]float64{}
	for _, e := range exp {
		if sr.v.docVocab.DF(e.Term) > 0 {
			sr.exp.w[e.Term] = sr.v.docVocab.idf(e.Term) * e.Weight
		}
	}
	if len(sr.exp.w) == 0 {
		return scores, nil
	}
	// Articles the expansion finds that the question did not.
	n := max(sr.s.opts.Candidates, 2*k)
	rows, err = sr.s.get(ctx, []sub{{class: sr.v.names.article, bm25: keys(sr.exp.w), limit: n, fields: "aid date"}})
	if err != nil {
		return nil, err
	}
	var fresh []string
	for _, r := range rows[0] {
		aid := str(r["aid"])
		if _, ok := sr.arts[aid]; !ok {
			sr.add(aid).date = date(r["date"])
			fresh = append(fresh, aid)
		}
	}
	subs, parse := sr.exactSubs(fresh, false)
	esubs, eparse := sr.exactSubs(sr.order, true)
	all, err := sr.s.get(ctx, append(subs, esubs...))
	if err != nil {
		return nil, err
	}
	parse(all[:len(subs)])
	eparse(all[len(subs):])
	scores = sr.fuse()
	emax := 1e-9
	for _, a := range sr.arts {
		emax = max(emax, float64(float32(a.exp)))
	}
	for aid, a := range sr.arts {
		if e := float32(a.exp); e > 0 && scores[aid] > 0 {
			scores[aid] += float32(sr.rk.FeedbackWeight * float64(e) / emax)
		}
	}
	return scores, nil
}

// preferRecent is the in-process recency bonus of a date-limited search.
func (sr *searcher) preferRecent(scores map[string]float32, from, to time.Time) {
	first, last := sr.v.info.Earliest, sr.v.info.Latest
	if !from.IsZero() {
		first = dateOnly(from)
	}
	if !to.IsZero() {
		last = dateOnly(to)
	}
	span := last.Sub(first).Hours() + 24
	for aid, s := range scores {
		if d := sr.arts[aid].date; s > 0 && !d.IsZero() {
			scores[aid] += float32(retrieval.RecencyWeight * d.Sub(first).Hours() / span)
		}
	}
}

// chunk is a passage read back with its similarity to the question.
type chunk struct {
	retrieval.Chunk
	dense float64
}

// passages reads the chunks of articles ids (round 6): per article in
// order, their passage BM25, the frequencies of the question's terms in
// each, and the best passage BM25 (over these and the index's best by
// BM25).
func (sr *searcher) passages(ctx context.Context, ids []string) (map[string][]chunk, map[string]float64, map[string]map[string]float64, float64, error) {
	nm := sr.v.names
	in := whereIn("aid", ids)
	subs := []sub{{class: nm.chunk, where: in, limit: maxResults, fields: "cid aid n title source url date start end text hash arrived"}}
	if sr.qv != nil {
		subs = append(subs, sub{class: nm.chunk, vector: sr.qv, where: in, limit: maxResults, fields: "cid _additional{distance}"})
	}
	lexAt := -1
	if len(sr.chunk.w) > 0 {
		where := in
		if len(sr.top20) > 0 {
			where = "{operator:Or,operands:[" + in + "," + whereIn("cid", sr.top20) + "]}"
		}
		lexAt = len(subs)
		subs = append(subs, sub{class: nm.chunk, bm25: keys(sr.chunk.w), where: where, limit: maxResults, fields: "cid " + bm25Fields})
	}
	rows, err := sr.s.get(ctx, subs)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	byArt := map[string][]chunk{}
	dense := map[string]float64{}
	if sr.qv != nil {
		for _, r := range rows[1] {
			dense[str(r["cid"])] = similarity(r)
		}
	}
	for _, r := range rows[0] {
		c := retrieval.Chunk{ID: str(r["cid"]), ArticleID: str(r["aid"]), N: num(r["n"]), Title: str(r["title"]), Source: str(r["source"]),
			URL: str(r["url"]), Date: date(r["date"]), Start: num(r["start"]), End: num(r["end"]), Text: str(r["text"]),
			Hash: str(r["hash"]), Arrived: date(r["arrived"])}
		byArt[c.ArticleID] = append(byArt[c.ArticleID], chunk{Chunk: c, dense: dense[c.ID]})
	}
	for _, cs := range byArt {
		sort.Slice(cs, func(i, j int) bool { return cs[i].N < cs[j].N })
	}
	lex := map[string]float64{}
	tfs := map[string]map[string]float64{}
	maxLex := 1e-9
	if lexAt >= 0 {
		for _, r := range rows[lexAt] {
			cid := str(r["cid"])
			lex[cid], tfs[cid] = sr.chunk.score(r)
			maxLex = max(maxLex, lex[cid])
		}
	}
	return byArt, lex, tfs, maxLex, nil
}

// bestChunks is the in-process passage choice: up to per chunks of one
// article, best first by normalised passage BM25 plus weighted
// similarity; after the first only chunks that share a term with the
// question.
func (sr *searcher) bestChunks(cs []chunk, per int, lex map[string]float64, maxLex float64) []int {
	type cand struct {
		i     int
		score float64
	}
	cands := make([]cand, len(cs))
	for i, c := range cs {
		s := float64(float32(lex[c.ID])) / maxLex
		if sr.qv != nil {
			s += sr.rk.DenseWeight * float64(float32(c.dense))
		}
		cands[i] = cand{i, s}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	var out []int
	for i, c := range cands {
		if len(out) == per || (i > 0 && lex[cs[c.i].ID] == 0) {
			break
		}
		out = append(out, c.i)
	}
	return out
}
