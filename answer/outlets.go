package answer

import (
	"context"
	"strings"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// namedOutlets returns the canonical names of the outlets among the
// passages' sources that the question names, when it names two or more
// («همشهری آنلاین و خبرآنلاین …»; one name alone may be a word: «مهر» is
// also the month), longest first.
func namedOutlets(question string, passages []retrieval.Passage) []string {
	q := " " + strings.Join(persian.Tokens(question), " ") + " "
	var named []string
	seen := map[string]bool{}
	for _, p := range passages {
		name := strings.Join(persian.Tokens(p.Source), " ")
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		if strings.Contains(q, " "+name+" ") {
			named = append(named, name)
		}
	}
	if len(named) < 2 {
		return nil
	}
	// «همشهری آنلاین» before a name it holds.
	for i := 1; i < len(named); i++ {
		for j := i; j > 0 && len(named[j]) > len(named[j-1]); j-- {
			named[j], named[j-1] = named[j-1], named[j]
		}
	}
	return named
}

// withoutOutlets is the question's canonical words without the outlet
// names: what it asks of them.
func withoutOutlets(question string, names []string) string {
	q := " " + strings.Join(persian.Tokens(question), " ") + " "
	for _, n := range names {
		q = strings.ReplaceAll(q, " "+n+" ", " ")
	}
	return strings.TrimSpace(q)
}

// byOutlets searches again, without the outlets' names, a question that
// names the outlets it asks of and is rated under the floor: a name is
// whose sentences are wanted, not a word to find in them, and the passages
// that give the fact rarely also carry the lead that names their outlet
// («همشهری آنلاین و خبرآنلاین نیم‌سکه را چند اعلام کردند؟»). The new result is kept when it
// is rated better and still has passages of every outlet named; it
// remembers the question as asked, so that a sentence of each
// outlet named is quoted (see [unquotedOutlets]).
func (c *Composer) byOutlets(ctx context.Context, q retrieval.Query, res retrieval.Result) retrieval.Result {
	names := namedOutlets(q.Text, res.Passages)
	if len(names) == 0 || c.opts.Floor.Relevant(res) {
		return res
	}
	rest := q
	if rest.Text = withoutOutlets(q.Text, names); persian.Canonical(rest.Text) == "" {
		return res
	}
	alt, err := c.ix.Search(ctx, rest)
	if err != nil || alt.Relevance <= res.Relevance || len(namedOutlets(q.Text, alt.Passages)) < len(names) {
		return res // worse, or without a passage of each outlet named
	}
	alt.Question = res.Question
	return alt
}
