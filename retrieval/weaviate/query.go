package weaviate

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxResults is the most objects one Weaviate query returns
// (QUERY_MAXIMUM_RESULTS, default 10,000).
const maxResults = 10000

// sub is one Get of a GraphQL request; several go in one request under
// aliases q0, q1, …
type sub struct {
	class  string
	bm25   []string  // terms to score with BM25 over "terms"; nil: none
	vector []float32 // nearest to this vector; nil: none
	where  string    // a GraphQL where argument, "" for none
	limit  int
	after  string // cursor: the id after which to list
	fields string
	one    bool // read from one replica (consistencyLevel ONE)
}

func (q sub) build(b *strings.Builder, alias string) {
	b.WriteString(alias)
	b.WriteString(":")
	b.WriteString(q.class)
	var args []string
	if q.bm25 != nil {
		args = append(args, fmt.Sprintf(`bm25:{query:%s,properties:["terms"]}`, quote(strings.Join(q.bm25, " "))))
	}
	if q.vector != nil {
		var v strings.Builder
		v.WriteString("nearVector:{vector:[")
		for i, x := range q.vector {
			if i > 0 {
				v.WriteByte(',')
			}
			v.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
		}
		v.WriteString("]}")
		args = append(args, v.String())
	}
	if q.where != "" {
		args = append(args, "where:"+q.where)
	}
	if q.after != "" {
		args = append(args, "after:"+quote(q.after))
	}
	if q.one {
		args = append(args, "consistencyLevel:ONE")
	}
	limit := q.limit
	if limit <= 0 || limit > maxResults {
		limit = maxResults
	}
	args = append(args, "limit:"+strconv.Itoa(limit))
	b.WriteString("(")
	b.WriteString(strings.Join(args, ","))
	b.WriteString("){")
	b.WriteString(q.fields)
	b.WriteString("}")
}

// quote writes s as a GraphQL string (JSON's escapes are GraphQL's).
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// get runs subs in one GraphQL request and returns each one's rows.
func (s *Store) get(ctx context.Context, subs []sub) ([][]map[string]any, error) {
	if len(subs) == 0 {
		return nil, nil
	}
	var b strings.Builder
	b.WriteString("{Get{")
	for i, q := range subs {
		q.one = s.opts.Replicas > 1
		if i > 0 {
			b.WriteString(" ")
		}
		q.build(&b, "q"+strconv.Itoa(i))
	}
	b.WriteString("}}")
	resp, err := s.client.GraphQL().Raw().WithQuery(b.String()).Do(ctx)
	if err != nil {
		return nil, s.wrap("query", err)
	}
	if len(resp.Errors) > 0 {
		msgs := make([]string, 0, len(resp.Errors))
		for _, e := range resp.Errors {
			msgs = append(msgs, e.Message)
		}
		return nil, fmt.Errorf("weaviate: query: %s", strings.Join(msgs, "; "))
	}
	get, _ := resp.Data["Get"].(map[string]any)
	out := make([][]map[string]any, len(subs))
	for i := range subs {
		list, _ := get["q"+strconv.Itoa(i)].([]any)
		rows := make([]map[string]any, 0, len(list))
		for _, x := range list {
			if m, ok := x.(map[string]any); ok {
				rows = append(rows, m)
			}
		}
		out[i] = rows
	}
	return out, nil
}

// whereIn keeps objects whose text property path is one of values.
func whereIn(path string, values []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{path:[%q],operator:ContainsAny,valueText:[`, path)
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quote(v))
	}
	b.WriteString("]}")
	return b.String()
}

// whereDates keeps objects whose date property path lies in [from, to]
// by calendar date (a zero bound is open); "" when both are zero.
func whereDates(path string, from, to time.Time) string {
	var ops []string
	if !from.IsZero() {
		ops = append(ops, fmt.Sprintf(`{path:[%q],operator:GreaterThanEqual,valueDate:%q}`, path, dateOnly(from).Format(time.RFC3339)))
	}
	if !to.IsZero() {
		ops = append(ops, fmt.Sprintf(`{path:[%q],operator:LessThanEqual,valueDate:%q}`, path, dateOnly(to).Format(time.RFC3339)))
	}
	return and(ops...)
}

// whereAfter keeps objects whose date property path is in (after, until].
func whereAfter(path string, after, until time.Time) string {
	return and(
		fmt.Sprintf(`{path:[%q],operator:GreaterThan,valueDate:%q}`, path, after.UTC().Format(time.RFC3339Nano)),
		fmt.Sprintf(`{path:[%q],operator:LessThanEqual,valueDate:%q}`, path, until.UTC().Format(time.RFC3339Nano)),
	)
}

// and combines where arguments ("" ones are dropped).
func and(ops ...string) string {
	var keep []string
	for _, o := range ops {
		if o != "" {
			keep = append(keep, o)
		}
	}
	switch len(keep) {
	case 0:
		return ""
	case 1:
		return keep[0]
	}
	return "{operator:And,operands:[" + strings.Join(keep, ",") + "]}"
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Row accessors: GraphQL JSON numbers are float64, scores strings.

func str(x any) string {
	s, _ := x.(string)
	return s
}

func num(x any) int {
	switch v := x.(type) {
	case float64:
		return int(v)
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	}
	return 0
}

func date(x any) time.Time {
	t, err := time.Parse(time.RFC3339Nano, str(x))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func additional(r map[string]any) map[string]any {
	a, _ := r["_additional"].(map[string]any)
	return a
}

// score is a BM25 row's score.
func score(r map[string]any) float64 {
	switch v := additional(r)["score"].(type) {
	case string:
		f, _ := strconv.ParseFloat(v, 64)
		return f
	case float64:
		return v
	}
	return 0
}

// similarity is a vector row's cosine similarity (1 − cosine distance).
func similarity(r map[string]any) float64 {
	d, ok := additional(r)["distance"].(float64)
	if !ok {
		return 0
	}
	return 1 - d
}

func vectorOf(r map[string]any) []float32 {
	list, _ := additional(r)["vector"].([]any)
	if len(list) == 0 {
		return nil
	}
	v := make([]float32, len(list))
	for i, x := range list {
		f, _ := x.(float64)
		v[i] = float32(f)
	}
	return v
}
