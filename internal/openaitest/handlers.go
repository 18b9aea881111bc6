package openaitest

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// base64Embedding mirrors openai.Base64Embedding, whose embedding field has
// an unexported type and so cannot be filled from outside go-openai.
type base64Embedding struct {
	Object    string `json:"object"`
	Embedding string `json:"embedding"`
	Index     int    `json:"index"`
}

// base64EmbeddingResponse mirrors openai.EmbeddingResponseBase64.
type base64EmbeddingResponse struct {
	Object string                `json:"object"`
	Data   []base64Embedding     `json:"data"`
	Model  openai.EmbeddingModel `json:"model"`
	Usage  openai.Usage          `json:"usage"`
}

func (s *Server) handleEmbeddings(w http.ResponseWriter, body []byte) {
	var req openai.EmbeddingRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "We could not parse the JSON body of your request: "+err.Error())
		return
	}
	texts, err := inputTexts(normaliseInput(req.Input))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	switch req.EncodingFormat {
	case "", openai.EmbeddingEncodingFormatFloat, openai.EmbeddingEncodingFormatBase64:
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Invalid encoding_format %q: must be float or base64", req.EncodingFormat))
		return
	}

	vecs := make([][]float32, len(texts))
	tokens := 0
	for i, text := range texts {
		v := s.embed(text)
		if len(v) != s.dim {
			s.t.Errorf("openaitest: Options.Embed(%q) returned %d values, want %d", text, len(v), s.dim)
			writeError(w, http.StatusInternalServerError, "openaitest: Options.Embed returned a vector of the wrong length")
			return
		}
		vecs[i] = v
		tokens += countTokens(text)
	}
	usage := openai.Usage{PromptTokens: tokens, TotalTokens: tokens}

	if req.EncodingFormat == openai.EmbeddingEncodingFormatBase64 {
		resp := base64EmbeddingResponse{Object: "list", Model: req.Model, Usage: usage}
		for i, v := range vecs {
			resp.Data = append(resp.Data, base64Embedding{Object: "embedding", Embedding: encodeBase64(v), Index: i})
		}
		writeJSON(w, http.StatusOK, resp)
		return
	}
	resp := openai.EmbeddingResponse{Object: "list", Model: req.Model, Usage: usage}
	for i, v := range vecs {
		resp.Data = append(resp.Data, openai.Embedding{Object: "embedding", Embedding: v, Index: i})
	}
	writeJSON(w, http.StatusOK, resp)
}

// inputTexts returns the texts to embed for a normalised input. Token inputs
// are embedded as the text of their token numbers.
func inputTexts(in any) ([]string, error) {
	var texts []string
	switch in := in.(type) {
	case string:
		texts = []string{in}
	case []string:
		texts = in
	case []int:
		texts = []string{tokensText(in)}
	case [][]int:
		for _, toks := range in {
			texts = append(texts, tokensText(toks))
		}
	case nil:
		return nil, fmt.Errorf("'input' is a required property")
	default:
		return nil, fmt.Errorf("'input' must be a string, an array of strings or an array of token arrays")
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("'input' must not be empty")
	}
	return texts, nil
}

func tokensText(toks []int) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = strconv.Itoa(t)
	}
	return strings.Join(parts, " ")
}

// encodeBase64 encodes v as OpenAI does for encoding_format "base64":
// little-endian float32 values, standard base64.
func encodeBase64(v []float32) string {
	buf := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(buf)
}

// countTokens is a rough token count: whitespace-separated words.
func countTokens(text string) int {
	return len(strings.Fields(text))
}

func messagesTokens(msgs []openai.ChatCompletionMessage) int {
	n := 0
	for _, m := range msgs {
		n += countTokens(m.Content)
		for _, part := range m.MultiContent {
			n += countTokens(part.Text)
		}
	}
	return n
}

func (s *Server) handleChat(w http.ResponseWriter, r *http.Request, body []byte, seq int, mods Failure) {
	var req openai.ChatCompletionRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "We could not parse the JSON body of your request: "+err.Error())
		return
	}
	if len(req.Messages) == 0 {
		writeError(w, http.StatusBadRequest, "[] is too short - 'messages'")
		return
	}
	reply := DefaultReply
	if chat := s.chatFunc(); chat != nil {
		reply = chat(req)
	}
	id := fmt.Sprintf("chatcmpl-fake-%d", seq)
	created := time.Now().Unix()
	promptTokens := messagesTokens(req.Messages)
	completionTokens := countTokens(reply)
	usage := openai.Usage{
		PromptTokens:     promptTokens,
		CompletionTokens: completionTokens,
		TotalTokens:      promptTokens + completionTokens,
	}

	if req.Stream {
		s.streamChat(w, r, req, reply, id, created, usage, mods)
		return
	}
	writeJSON(w, http.StatusOK, openai.ChatCompletionResponse{
		ID:      id,
		Object:  "chat.completion",
		Created: created,
		Model:   req.Model,
		Choices: []openai.ChatCompletionChoice{{
			Index: 0,
			Message: openai.ChatCompletionMessage{
				Role:    openai.ChatMessageRoleAssistant,
				Content: reply,
			},
			FinishReason: openai.FinishReasonStop,
		}},
		Usage: usage,
	})
}

// streamChat sends the reply as server-sent events: a role chunk, content
// chunks, a finish chunk, an optional usage chunk and [DONE].
func (s *Server) streamChat(w http.ResponseWriter, r *http.Request, req openai.ChatCompletionRequest,
	reply, id string, created int64, usage openai.Usage, mods Failure) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)

	chunk := func(delta openai.ChatCompletionStreamChoiceDelta, finish openai.FinishReason) openai.ChatCompletionStreamResponse {
		return openai.ChatCompletionStreamResponse{
			ID:      id,
			Object:  "chat.completion.chunk",
			Created: created,
			Model:   req.Model,
			Choices: []openai.ChatCompletionStreamChoice{{Index: 0, Delta: delta, FinishReason: finish}},
		}
	}
	send := func(v any) bool {
		b, err := json.Marshal(v)
		if err != nil {
			s.t.Errorf("openaitest: encoding stream chunk: %v", err)
			return false
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	stall := func() bool {
		if mods.StreamStall <= 0 || s.sleep(r, mods.StreamStall) {
			return true
		}
		s.abort(w, r)
		return false
	}

	if !send(chunk(openai.ChatCompletionStreamChoiceDelta{Role: openai.ChatMessageRoleAssistant}, "")) {
		return
	}
	pieces := SplitReply(reply)
	cutAfter := len(pieces) // number of content chunks sent before a cut
	if mods.StreamCut {
		cutAfter = max(len(pieces)/2, 1)
	}
	for i, piece := range pieces {
		if mods.StreamCut && i == cutAfter {
			break
		}
		if i > 0 && !stall() {
			return
		}
		if !send(chunk(openai.ChatCompletionStreamChoiceDelta{Content: piece}, "")) {
			return
		}
	}
	if mods.StreamCut {
		s.dropConn(w)
		return
	}
	if !stall() {
		return
	}
	if !send(chunk(openai.ChatCompletionStreamChoiceDelta{}, openai.FinishReasonStop)) {
		return
	}
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		final := openai.ChatCompletionStreamResponse{
			ID:      id,
			Object:  "chat.completion.chunk",
			Created: created,
			Model:   req.Model,
			Choices: []openai.ChatCompletionStreamChoice{},
			Usage:   &usage,
		}
		if !send(final) {
			return
		}
	}
	_, _ = io.WriteString(w, "data: [DONE]\n\n")
	_ = rc.Flush()
}

// chunkSizes is the cycle of rune counts used to split streamed replies.
var chunkSizes = [...]int{3, 5, 8, 4, 6, 7}

// SplitReply splits reply into the content pieces the fake streams, in
// order: runs of 3 to 8 runes (cycling through 3, 5, 8, 4, 6, 7). Their
// concatenation is reply. An empty reply gives no pieces.
func SplitReply(reply string) []string {
	var pieces []string
	runes := []rune(reply)
	for i, k := 0, 0; i < len(runes); k++ {
		n := min(chunkSizes[k%len(chunkSizes)], len(runes)-i)
		pieces = append(pieces, string(runes[i:i+n]))
		i += n
	}
	return pieces
}
