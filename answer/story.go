package answer

import (
	"math"
	"sort"
	"time"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// Story clustering, chosen on the seeds' busy day and farsnews-corpus.
const (
	// sameStory is the similarity from which two articles report one
	// story: the mean of their tf-idf cosine (title and opening) and their
	// dense cosine.
	sameStory = 0.45
	// storyWords is how much of an article's opening the similarity reads.
	storyWords = 120
)

// story is a group of articles that report one event.
type story struct {
	docs   []retrieval.Document // newest first
	latest time.Time
}

// profile is an article's weighted terms (title and opening), unit length.
type profile map[string]float64

// clusterStories groups documents into stories: average-link agglomerative
// clustering over the similarity of their openings, stopped at sameStory.
// Stories are ranked by the number of outlets that reported them, then by
// recency.
func clusterStories(docs []retrieval.Document) []story {
	if len(docs) == 0 {
		return nil
	}
	profiles := profilesOf(docs)
	n := len(docs)
	sim := make([][]float64, n)
	for i := range sim {
		sim[i] = make([]float64, n)
		for j := range i {
			s := cosineProfiles(profiles[i], profiles[j])
			if docs[i].Vector != nil && docs[j].Vector != nil {
				s = (s + float64(dotVec(docs[i].Vector, docs[j].Vector))) / 2
			}
			sim[i][j], sim[j][i] = s, s
		}
	}
	clusters := make([][]int, n)
	for i := range clusters {
		clusters[i] = []int{i}
	}
	for {
		bi, bj, best := -1, -1, sameStory
		for i := range clusters {
			for j := i + 1; j < len(clusters); j++ {
				if s := averageLink(sim, clusters[i], clusters[j]); s >= best {
					bi, bj, best = i, j, s
				}
			}
		}
		if bi < 0 {
			break
		}
		clusters[bi] = append(clusters[bi], clusters[bj]...)
		clusters = append(clusters[:bj], clusters[bj+1:]...)
	}
	stories := make([]story, len(clusters))
	for k, members := range clusters {
		sort.Ints(members) // docs are newest first
		for _, i := range members {
			stories[k].docs = append(stories[k].docs, docs[i])
		}
		stories[k].latest = docs[members[0]].Date
	}
	sort.SliceStable(stories, func(a, b int) bool {
		oa, ob := len(outletsOf(stories[a].docs)), len(outletsOf(stories[b].docs))
		if oa != ob {
			return oa > ob
		}
		if len(stories[a].docs) != len(stories[b].docs) {
			return len(stories[a].docs) > len(stories[b].docs)
		}
		return stories[a].latest.After(stories[b].latest)
	})
	return stories
}

func averageLink(sim [][]float64, a, b []int) float64 {
	var sum float64
	for _, i := range a {
		for _, j := range b {
			sum += sim[i][j]
		}
	}
	return sum / float64(len(a)*len(b))
}

// profilesOf weighs the terms of each document's title and opening by
// sublinear tf times idf over the documents themselves.
func profilesOf(docs []retrieval.Document) []profile {
	tfs := make([]map[string]float64, len(docs))
	df := map[string]int{}
	for i, d := range docs {
		tf := map[string]float64{}
		terms := persian.Terms(d.Title + " " + d.Title + " " + opening(d.Text, storyWords))
		for _, t := range terms {
			tf[t]++
		}
		for t := range tf {
			df[t]++
		}
		tfs[i] = tf
	}
	n := float64(len(docs))
	out := make([]profile, len(docs))
	for i, tf := range tfs {
		p := profile{}
		var norm float64
		for t, f := range tf {
			w := (1 + math.Log(f)) * math.Log(1+n/float64(df[t]))
			p[t] = w
			norm += w * w
		}
		norm = math.Sqrt(norm)
		for t := range p {
			p[t] /= norm
		}
		out[i] = p
	}
	return out
}

func cosineProfiles(a, b profile) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	var s float64
	for t, w := range a {
		s += w * b[t]
	}
	return s
}

func dotVec(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// opening returns the first n words of text.
func opening(text string, n int) string {
	words := 0
	for i, r := range text {
		if r == ' ' || r == '\n' {
			words++
			if words == n {
				return text[:i]
			}
		}
	}
	return text
}

// outletsOf lists the distinct outlets of docs, in order.
func outletsOf(docs []retrieval.Document) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range docs {
		if d.Source != "" && !seen[d.Source] {
			seen[d.Source] = true
			out = append(out, d.Source)
		}
	}
	return out
}

// centralSentences picks the n sentences of a story's openings that are most
// like the story as a whole, with the document each comes from.
func centralSentences(st story, n int) []struct {
	doc  int
	text string
} {
	profiles := profilesOf(st.docs)
	centroid := profile{}
	for _, p := range profiles {
		for t, w := range p {
			centroid[t] += w / float64(len(profiles))
		}
	}
	type cand struct {
		doc   int
		pos   int
		text  string
		terms map[string]bool
		score float64
	}
	var cands []cand
	seen := map[string]bool{}
	for di, d := range st.docs {
		for pos, sp := range persian.Sentences(opening(d.Text, 2*storyWords)) {
			terms := persian.Terms(sp.Text)
			key := persian.Canonical(sp.Text)
			if len(terms) < 4 || seen[key] {
				continue
			}
			seen[key] = true
			var s float64
			uniq := map[string]bool{}
			for _, t := range terms {
				if !uniq[t] {
					uniq[t] = true
					s += centroid[t]
				}
			}
			s /= math.Sqrt(float64(len(uniq)))
			s *= 1 - 0.1*float64(min(pos, 5)) // the lead says most
			cands = append(cands, cand{doc: di, pos: pos, text: sp.Text, terms: uniq, score: s})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	var out []struct {
		doc  int
		text string
	}
	var picked []cand
	for _, c := range cands {
		if len(picked) == n {
			break
		}
		redundant := false
		for _, p := range picked {
			if overlap(c.terms, p.terms) > maxOverlap {
				redundant = true // another outlet's wording of the same sentence
				break
			}
		}
		if !redundant {
			picked = append(picked, c)
		}
	}
	for _, c := range picked {
		out = append(out, struct {
			doc  int
			text string
		}{c.doc, c.text})
	}
	return out
}

// maxOverlap is the share of words a second sentence of a story may share
// with the first: past it, it says the same thing again.
const maxOverlap = 0.5

// overlap is |a ∩ b| / min(|a|, |b|).
func overlap(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for t := range a {
		if b[t] {
			n++
		}
	}
	return float64(n) / float64(min(len(a), len(b)))
}
