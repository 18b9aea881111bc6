package answer

import "strings"

// BlockKind is what a [Block] of a rendered reply holds.
type BlockKind int

// The kinds of [Block].
const (
	// BlockText is plain text: an answer's body with its markers, or a
	// summary's empty-period message.
	BlockText BlockKind = iota
	// BlockHeading is a summary's heading with its period.
	BlockHeading
	// BlockPeriod names the dates an answer covers («بازه زمانی پاسخ: …»).
	BlockPeriod
	// BlockNote is a short remark under an answer.
	BlockNote
	// BlockStory is one story of a summary, with the outlets that
	// reported it when there are several.
	BlockStory
	// BlockSources is the sources heading and one line per source.
	BlockSources
	// BlockPassage is one passage behind an answer, as /sources shows it:
	// its source line (Sources holds the one source), a remark in
	// parentheses after the line (Label: its score) and the passage's
	// text.
	BlockPassage
	// BlockRelated is a not-found reply's related headlines: a heading
	// and one line per article (its Sources), with no citation marker.
	BlockRelated
)

// Block is one part of a reply, in the order shown. Every renderer (the
// console's plain text, Telegram's HTML) walks the same blocks, so they
// show the same things.
type Block struct {
	Kind BlockKind
	// Text is the block's text (for every kind but BlockSources).
	Text string
	// Outlets are the outlets of a BlockStory, shown when there are
	// several.
	Outlets []string
	// Sources are the lines of a BlockSources, the one source of a
	// BlockPassage, or the articles of a BlockRelated (their N unused).
	Sources []Source
	// Label is the remark after a BlockPassage's source line.
	Label string
}

// Blocks returns the answer as blocks: the body, the period asked about,
// the note and the cited sources, each when there is one; a not-found
// reply's related headlines last.
func (a Answer) Blocks() []Block {
	blocks := []Block{{Kind: BlockText, Text: a.Text}}
	if a.Period != "" {
		blocks = append(blocks, Block{Kind: BlockPeriod, Text: MsgPeriod + " " + a.Period})
	}
	if a.Note != "" {
		blocks = append(blocks, Block{Kind: BlockNote, Text: a.Note})
	}
	if len(a.Sources) > 0 {
		blocks = append(blocks, Block{Kind: BlockSources, Sources: a.Sources})
	}
	if len(a.Related) > 0 {
		related := make([]Source, len(a.Related))
		for i, p := range a.Related {
			related[i] = Source{Passage: p}
		}
		blocks = append(blocks, Block{Kind: BlockRelated, Sources: related})
	}
	return blocks
}

// RelatedBullet starts each line of a [BlockRelated].
const RelatedBullet = "• "

// Headline renders the source as a related headline, with no marker:
// «تابناک — ۶ مهر ۱۴۰۴ — «عنوان»».
func (s Source) Headline() string { return strings.Join(s.MetaParts(), msgSeparator) }

// Blocks returns the summary under heading («خلاصه اخبار») as blocks:
// the heading with the period, then one block per story and the sources,
// or the empty-period message.
func (s Summary) Blocks(heading string) []Block {
	blocks := []Block{{Kind: BlockHeading, Text: strings.TrimSpace(heading + " " + s.Period)}}
	if s.Note != "" {
		blocks = append(blocks, Block{Kind: BlockNote, Text: s.Note})
	}
	if len(s.Stories) == 0 {
		if s.Note == "" {
			blocks = append(blocks, Block{Kind: BlockText, Text: MsgSummaryEmpty})
		}
		return blocks
	}
	for _, st := range s.Stories {
		blocks = append(blocks, Block{Kind: BlockStory, Text: st.Text, Outlets: st.Outlets})
	}
	if len(s.Sources) > 0 {
		blocks = append(blocks, Block{Kind: BlockSources, Sources: s.Sources})
	}
	return blocks
}

// StoryBullet starts each story of a summary.
const StoryBullet = "• "

// ReportedBy is the line under a story that several outlets reported, ""
// for one outlet.
func (b Block) ReportedBy() string {
	if len(b.Outlets) < 2 {
		return ""
	}
	return MsgReportedBy + " " + strings.Join(b.Outlets, "، ")
}

// PassageLine is the first line of a BlockPassage in plain text: the
// source line and the label in parentheses.
func (b Block) PassageLine() string {
	line := ""
	if len(b.Sources) > 0 {
		line = b.Sources[0].Line()
	}
	if b.Label != "" {
		line += " (" + b.Label + ")"
	}
	return line
}

// PlainText renders blocks as plain text, blank lines between them.
func PlainText(blocks []Block) string {
	parts := make([]string, len(blocks))
	for i, b := range blocks {
		switch b.Kind {
		case BlockStory:
			parts[i] = StoryBullet + b.Text
			if r := b.ReportedBy(); r != "" {
				parts[i] += "\n" + r
			}
		case BlockSources:
			lines := []string{MsgSourcesHeading}
			for _, s := range b.Sources {
				lines = append(lines, s.Line())
			}
			parts[i] = strings.Join(lines, "\n")
		case BlockPassage:
			parts[i] = b.PassageLine() + "\n" + b.Text
		case BlockRelated:
			lines := []string{MsgRelatedHeading}
			for _, s := range b.Sources {
				lines = append(lines, RelatedBullet+s.Headline())
			}
			parts[i] = strings.Join(lines, "\n")
		default:
			parts[i] = b.Text
		}
	}
	return strings.Join(parts, "\n\n")
}
