package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/khabar/khabar/pgstate"
)

// Config is every setting of khabar, read from the environment (and an
// optional .env file) by [loadConfig]. config.example.env documents each
// variable and its default.
type Config struct {
	SeedsDir string `env:"SEEDS_DIR" envDefault:"seeds"`
	DataDir  string `env:"DATA_DIR" envDefault:"data"`
	// UploadsDir holds the article files admins send; "" means
	// DATA_DIR/uploads.
	UploadsDir string `env:"UPLOADS_DIR"`

	Embedder      string `env:"EMBEDDER" envDefault:"local"`
	LocalEmbedDim int    `env:"LOCAL_EMBED_DIM" envDefault:"256"`

	// IndexBackend is where the index lives: in-process (the default and
	// the reference) or weaviate (docs/scale.md).
	IndexBackend     string        `env:"INDEX_BACKEND" envDefault:"in-process"`
	WeaviateURL      string        `env:"WEAVIATE_URL"`
	WeaviateAPIKey   string        `env:"WEAVIATE_API_KEY"`
	WeaviateShards   int           `env:"WEAVIATE_SHARDS" envDefault:"1"`
	WeaviateReplicas int           `env:"WEAVIATE_REPLICAS" envDefault:"1"`
	WeaviateTimeout  time.Duration `env:"WEAVIATE_TIMEOUT" envDefault:"10s"`
	// WeaviatePrefix starts the names of khabar's collections in Weaviate
	// ("" is Khabar): two deployments (or tests) sharing a Weaviate each
	// use their own.
	WeaviatePrefix string `env:"WEAVIATE_PREFIX"`

	TopK               int   `env:"TOP_K" envDefault:"5"`
	ChunkWords         int   `env:"CHUNK_WORDS" envDefault:"120"`
	ChunkMaxWords      int   `env:"CHUNK_MAX_WORDS" envDefault:"220"`
	ChunkOverlap       int   `env:"CHUNK_OVERLAP" envDefault:"1"`
	MaxArticleBytes    int64 `env:"MAX_ARTICLE_BYTES" envDefault:"1048576"`
	MaxAnswerSentences int   `env:"MAX_ANSWER_SENTENCES" envDefault:"4"`

	LogLevel  string `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat string `env:"LOG_FORMAT" envDefault:"text"`

	// An OpenAI-compatible API (OpenAI, Ollama, vLLM, LocalAI, llama.cpp
	// server, OpenRouter). With neither key nor base URL khabar is offline.
	OpenAIAPIKey         string        `env:"OPENAI_API_KEY"`
	OpenAIBaseURL        string        `env:"OPENAI_BASE_URL"`
	OpenAIChatModel      string        `env:"OPENAI_CHAT_MODEL" envDefault:"gpt-4o-mini"`
	OpenAIEmbeddingModel string        `env:"OPENAI_EMBEDDING_MODEL" envDefault:"text-embedding-3-small"`
	OpenAITimeout        time.Duration `env:"OPENAI_TIMEOUT" envDefault:"30s"`
	OpenAIRetries        int           `env:"OPENAI_RETRIES" envDefault:"3"`
	AnswerTimeout        time.Duration `env:"ANSWER_TIMEOUT" envDefault:"60s"`
	MemoryTurns          int           `env:"MEMORY_TURNS" envDefault:"4"`
	MemoryTTL            time.Duration `env:"MEMORY_TTL" envDefault:"30m"`

	// Telegram.
	TelegramBotToken    string        `env:"TELEGRAM_BOT_TOKEN"`
	TelegramAPIEndpoint string        `env:"TELEGRAM_API_ENDPOINT" envDefault:"https://api.telegram.org/bot%s/%s"`
	TelegramPollTimeout time.Duration `env:"TELEGRAM_POLL_TIMEOUT" envDefault:"50s"`
	WebhookURL          string        `env:"WEBHOOK_URL"`
	WebhookListen       string        `env:"WEBHOOK_LISTEN" envDefault:":8443"`
	WebhookSecret       string        `env:"WEBHOOK_SECRET"`
	AdminUserIDs        []int64       `env:"ADMIN_USER_IDS" envSeparator:","`
	AllowedChatIDs      []int64       `env:"ALLOWED_CHAT_IDS" envSeparator:","`
	Workers             int           `env:"WORKERS" envDefault:"8"`
	UserQuestionsPerMin float64       `env:"USER_QUESTIONS_PER_MINUTE" envDefault:"6"`
	UserQuestionBurst   int           `env:"USER_QUESTION_BURST" envDefault:"3"`
	MaxQuestionChars    int           `env:"MAX_QUESTION_CHARS" envDefault:"1000"`
	MaxUploadBytes      int64         `env:"MAX_UPLOAD_BYTES" envDefault:"10485760"`
	UpdateTimeout       time.Duration `env:"UPDATE_TIMEOUT" envDefault:"90s"`
	DeliveryTimeout     time.Duration `env:"DELIVERY_TIMEOUT" envDefault:"1h"`
	ShutdownGrace       time.Duration `env:"SHUTDOWN_GRACE" envDefault:"8s"`

	// Live news: RSS/Atom/RDF feeds polled into DATA_DIR/feeds (feeds.go).
	Feeds         string        `env:"FEEDS"`
	FeedInterval  time.Duration `env:"FEED_INTERVAL" envDefault:"10m"`
	MaxArticleAge time.Duration `env:"MAX_ARTICLE_AGE" envDefault:"0s"`

	// Operations: /healthz, /readyz and /metrics on this address ("" = off).
	OpsListen string `env:"OPS_LISTEN"`

	// Where the shared state lives: "bolt" (DATA_DIR, one replica) or
	// "postgres" (DATABASE_URL, any number of replicas; see pgstate).
	StateBackend string `env:"STATE_BACKEND" envDefault:"bolt"`
	DatabaseURL  string `env:"DATABASE_URL"`

	// Telegram channels whose posts become articles: only these ids when
	// set, else every channel the bot administers (see corpus/channel).
	SourceChannelIDs []int64 `env:"SOURCE_CHANNEL_IDS" envSeparator:","`

	// Now sets the program's clock, for a frozen corpus and for tests: the
	// clock starts at this instant and runs on. Zero is the wall clock.
	Now clockSetting `env:"NOW"`
}

// LLM reports whether an OpenAI-compatible API is configured.
func (c Config) LLM() bool { return c.OpenAIAPIKey != "" || c.OpenAIBaseURL != "" }

// ErrInvalid marks a variable whose value is out of range or unknown.
var ErrInvalid = errors.New("invalid value")

// secretVars are never printed.
// weaviatePrefixRE is what Weaviate accepts at the start of a collection
// name (as retrieval/weaviate checks).
var weaviatePrefixRE = regexp.MustCompile(`^[A-Z][A-Za-z0-9]{0,63}$`)

var secretVars = map[string]bool{"OPENAI_API_KEY": true, "TELEGRAM_BOT_TOKEN": true, "WEBHOOK_SECRET": true, "WEAVIATE_API_KEY": true}

// urlVars are printed with the credentials they may carry hidden (see
// [redactURL]).
var urlVars = map[string]bool{"OPENAI_BASE_URL": true, "TELEGRAM_API_ENDPOINT": true, "WEBHOOK_URL": true, "WEAVIATE_URL": true}

// loadConfig returns the defaults overridden by the .env file (ENV_FILE,
// default ".env", optional) and then by the environment, validated.
func loadConfig(getenv func(string) string) (Config, error) {
	values := map[string]string{}
	envFile := getenv("ENV_FILE")
	explicit := envFile != ""
	if !explicit {
		envFile = ".env"
	}
	fileVals, err := readEnvFile(envFile)
	switch {
	case err == nil:
		for k, v := range fileVals {
			values[k] = v
		}
	case explicit || !errors.Is(err, os.ErrNotExist):
		return Config{}, fmt.Errorf("ENV_FILE: %w", err)
	}
	for _, key := range configKeys() {
		if v := getenv(key); v != "" {
			values[key] = v
		}
	}
	var cfg Config
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: values}); err != nil {
		return Config{}, nameVariables(err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// configKeys lists the variables Config reads.
func configKeys() []string {
	var keys []string
	t := reflect.TypeOf(Config{})
	for i := range t.NumField() {
		if key, _, _ := strings.Cut(t.Field(i).Tag.Get("env"), ","); key != "" {
			keys = append(keys, key)
		}
	}
	return keys
}

// nameVariables rewrites the env library's field-named parse errors into
// errors that name the variable.
func nameVariables(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	t := reflect.TypeOf(Config{})
	var errs []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := t.FieldByName(pe.Name); ok {
				key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
				errs = append(errs, fmt.Errorf("%s: %w: %s", key, ErrInvalid, expected(f.Type)))
				continue
			}
		}
		// The library's other errors may quote the value: say only that
		// one could not be read.
		errs = append(errs, fmt.Errorf("%w: a variable could not be read", ErrInvalid))
	}
	return errors.Join(errs...)
}

// expected describes the values a variable of type t takes. Parse errors
// say this instead of the parser's message, which quotes the value (a
// token pasted into the wrong variable would be printed).
func expected(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[time.Duration]():
		return "not a duration (such as 30s, 5m or 1h)"
	case t.Kind() == reflect.Slice:
		return "not a comma-separated list of integers"
	case t.Kind() == reflect.Float64:
		return "not a number"
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		return "not an integer"
	case t.Kind() == reflect.Bool:
		return "not true or false"
	}
	return "cannot be read"
}

// Validate checks every value and returns one error per bad variable.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %w: %s", key, ErrInvalid, fmt.Sprintf(format, args...)))
	}
	switch c.Embedder {
	case "local":
	case "openai":
		if !c.LLM() {
			bad("EMBEDDER", "openai needs OPENAI_API_KEY or OPENAI_BASE_URL")
		}
	default:
		bad("EMBEDDER", "not one of local, openai")
	}
	switch c.IndexBackend {
	case "in-process":
	case "weaviate":
		if c.WeaviateURL == "" {
			bad("WEAVIATE_URL", "required with INDEX_BACKEND=weaviate")
		}
	default:
		bad("INDEX_BACKEND", "not one of in-process, weaviate")
	}
	if c.WeaviateURL != "" {
		if u, err := url.Parse(c.WeaviateURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("WEAVIATE_URL", "not an http(s) URL")
		}
	}
	if c.WeaviatePrefix != "" && !weaviatePrefixRE.MatchString(c.WeaviatePrefix) {
		bad("WEAVIATE_PREFIX", "%q is not a capital letter then letters or digits", c.WeaviatePrefix)
	}
	if c.WeaviateShards < 1 || c.WeaviateShards > 256 {
		bad("WEAVIATE_SHARDS", "%d is outside 1–256", c.WeaviateShards)
	}
	if c.WeaviateReplicas < 1 || c.WeaviateReplicas > 16 {
		bad("WEAVIATE_REPLICAS", "%d is outside 1–16", c.WeaviateReplicas)
	}
	if c.WeaviateTimeout < 100*time.Millisecond || c.WeaviateTimeout > 10*time.Minute {
		bad("WEAVIATE_TIMEOUT", "%s is outside 100ms–10m", c.WeaviateTimeout)
	}
	if c.OpenAIBaseURL != "" {
		if u, err := url.Parse(c.OpenAIBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("OPENAI_BASE_URL", "not an http(s) URL")
		}
	}
	if c.LLM() && c.OpenAIChatModel == "" {
		bad("OPENAI_CHAT_MODEL", "empty")
	}
	if c.Embedder == "openai" && c.OpenAIEmbeddingModel == "" {
		bad("OPENAI_EMBEDDING_MODEL", "empty")
	}
	if c.OpenAITimeout < time.Second || c.OpenAITimeout > 10*time.Minute {
		bad("OPENAI_TIMEOUT", "%s is outside 1s–10m", c.OpenAITimeout)
	}
	if c.OpenAIRetries < 0 || c.OpenAIRetries > 10 {
		bad("OPENAI_RETRIES", "%d is outside 0–10", c.OpenAIRetries)
	}
	if c.AnswerTimeout < time.Second || c.AnswerTimeout > 10*time.Minute {
		bad("ANSWER_TIMEOUT", "%s is outside 1s–10m", c.AnswerTimeout)
	}
	if c.MemoryTurns < 0 || c.MemoryTurns > 20 {
		bad("MEMORY_TURNS", "%d is outside 0–20", c.MemoryTurns)
	}
	if c.MemoryTTL < 0 {
		bad("MEMORY_TTL", "%s is negative", c.MemoryTTL)
	}
	if c.TelegramBotToken != "" && !strings.Contains(c.TelegramBotToken, ":") {
		bad("TELEGRAM_BOT_TOKEN", "does not look like a bot token (id:secret)")
	}
	if strings.Count(c.TelegramAPIEndpoint, "%s") != 2 {
		bad("TELEGRAM_API_ENDPOINT", "needs two %%s, for the token and the method")
	}
	if c.TelegramPollTimeout < time.Second || c.TelegramPollTimeout > 10*time.Minute {
		bad("TELEGRAM_POLL_TIMEOUT", "%s is outside 1s–10m", c.TelegramPollTimeout)
	}
	if c.WebhookURL != "" {
		if u, err := url.Parse(c.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
			bad("WEBHOOK_URL", "not an https URL")
		}
		if c.WebhookSecret == "" {
			bad("WEBHOOK_SECRET", "required with WEBHOOK_URL")
		}
	}
	if c.WebhookSecret != "" && !validSecretToken(c.WebhookSecret) {
		bad("WEBHOOK_SECRET", "1–256 characters of A–Z, a–z, 0–9, _ and -")
	}
	if c.Workers < 1 || c.Workers > 256 {
		bad("WORKERS", "%d is outside 1–256", c.Workers)
	}
	if c.UserQuestionsPerMin <= 0 {
		bad("USER_QUESTIONS_PER_MINUTE", "%v must be positive", c.UserQuestionsPerMin)
	}
	if c.UserQuestionBurst < 1 {
		bad("USER_QUESTION_BURST", "%d must be at least 1", c.UserQuestionBurst)
	}
	if c.MaxQuestionChars < 10 || c.MaxQuestionChars > 4000 {
		bad("MAX_QUESTION_CHARS", "%d is outside 10–4000", c.MaxQuestionChars)
	}
	if c.MaxUploadBytes < 1024 || c.MaxUploadBytes > 20<<20 {
		bad("MAX_UPLOAD_BYTES", "%d is outside 1 KiB–20 MiB (the Bot API's download limit)", c.MaxUploadBytes)
	}
	switch c.StateBackend {
	case "bolt":
	case "postgres":
		if c.DatabaseURL == "" {
			bad("DATABASE_URL", "required with STATE_BACKEND=postgres")
		}
	default:
		bad("STATE_BACKEND", "not bolt or postgres")
	}
	if c.DatabaseURL != "" {
		if err := pgstate.CheckURL(c.DatabaseURL); err != nil {
			bad("DATABASE_URL", "not a PostgreSQL URL or key=value connection string")
		}
	}
	if c.OpsListen != "" {
		if _, _, err := net.SplitHostPort(c.OpsListen); err != nil {
			bad("OPS_LISTEN", "not host:port")
		}
	}
	for _, id := range c.SourceChannelIDs {
		if id >= 0 {
			bad("SOURCE_CHANNEL_IDS", "%d is not a channel id (those are negative, e.g. -1001234567890)", id)
		}
	}
	if c.UpdateTimeout < time.Second {
		bad("UPDATE_TIMEOUT", "%s is under a second", c.UpdateTimeout)
	}
	if c.DeliveryTimeout < time.Minute {
		bad("DELIVERY_TIMEOUT", "%s is under a minute", c.DeliveryTimeout)
	}
	if c.ShutdownGrace < time.Second || c.ShutdownGrace > 5*time.Minute {
		bad("SHUTDOWN_GRACE", "%s is outside 1s–5m", c.ShutdownGrace)
	}
	if c.LocalEmbedDim < 16 || c.LocalEmbedDim > 4096 {
		bad("LOCAL_EMBED_DIM", "%d is outside 16–4096", c.LocalEmbedDim)
	}
	if c.TopK < 1 || c.TopK > 50 {
		bad("TOP_K", "%d is outside 1–50", c.TopK)
	}
	if c.ChunkWords < 10 || c.ChunkWords > 2000 {
		bad("CHUNK_WORDS", "%d is outside 10–2000", c.ChunkWords)
	}
	if c.ChunkMaxWords < c.ChunkWords || c.ChunkMaxWords > 4000 {
		bad("CHUNK_MAX_WORDS", "%d must be at least CHUNK_WORDS (%d) and at most 4000", c.ChunkMaxWords, c.ChunkWords)
	}
	if c.ChunkOverlap < 0 || c.ChunkOverlap > 5 {
		bad("CHUNK_OVERLAP", "%d is outside 0–5", c.ChunkOverlap)
	}
	if c.MaxArticleBytes < 1024 {
		bad("MAX_ARTICLE_BYTES", "%d is below 1024", c.MaxArticleBytes)
	}
	if c.MaxAnswerSentences < 1 || c.MaxAnswerSentences > 10 {
		bad("MAX_ANSWER_SENTENCES", "%d is outside 1–10", c.MaxAnswerSentences)
	}
	if c.SeedsDir == "" {
		bad("SEEDS_DIR", "empty")
	}
	errs = append(errs, c.validateFeeds()...)
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		bad("LOG_LEVEL", "not debug, info, warn or error")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("LOG_FORMAT", "not text or json")
	}
	return errors.Join(errs...)
}

// validSecretToken reports whether s is a valid Telegram webhook
// secret_token.
func validSecretToken(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// String renders the configuration one variable per line, secrets
// redacted, for `khabar config`.
func (c Config) String() string {
	var b strings.Builder
	v := reflect.ValueOf(c)
	t := v.Type()
	for i := range t.NumField() {
		key, _, _ := strings.Cut(t.Field(i).Tag.Get("env"), ",")
		if key == "" {
			continue
		}
		val := fmt.Sprint(v.Field(i).Interface())
		if ids, ok := v.Field(i).Interface().([]int64); ok {
			parts := make([]string, len(ids))
			for j, id := range ids {
				parts[j] = strconv.FormatInt(id, 10)
			}
			val = strings.Join(parts, ",")
		}
		switch {
		case val == "":
		case secretVars[key]:
			val = redact(val)
		case urlVars[key]:
			val = redactURL(val)
		case key == "DATABASE_URL":
			val = redactDSN(val)
		}
		fmt.Fprintf(&b, "%s=%s\n", key, val)
	}
	return b.String()
}

// LogValue keeps secrets out of structured logs.
func (c Config) LogValue() slog.Value {
	var attrs []slog.Attr
	for _, line := range strings.Split(strings.TrimSpace(c.String()), "\n") {
		k, v, _ := strings.Cut(line, "=")
		attrs = append(attrs, slog.String(k, v))
	}
	return slog.GroupValue(attrs...)
}

// redact hides a secret entirely: it only says that one is set.
func redact(string) string {
	return "***"
}

// dsnPassword is the password of a key=value connection string
// ("host=db password='x y' user=khabar"), quoted or not.
var dsnPassword = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s']\S*)`)

// redactDSN returns DATABASE_URL with its credentials hidden: as
// [redactURL] for a postgres:// URL (the userinfo, every query value), and
// the password's value for a key=value string.
func redactDSN(raw string) string {
	if strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://") {
		return redactURL(raw)
	}
	return dsnPassword.ReplaceAllString(raw, "${1}***")
}

// A bot token («123456:AA…») inside a URL's path.
var pathToken = regexp.MustCompile(`[0-9]+:[A-Za-z0-9_-]+`)

// endpointVerb is TELEGRAM_API_ENDPOINT's %s while its URL is parsed
// (url.Parse refuses "%s" as a bad escape).
const endpointVerb = "KHABARVERB"

// redactURL returns raw with what may be a credential replaced by ***: the
// userinfo (user:password@), a bot token in the path (/bot123:ABC/), every
// query value and the fragment. The scheme, host, port and the rest of the
// path stay, so that an operator can still see where khabar connects. A
// value that does not parse as a URL is hidden whole.
func redactURL(raw string) string {
	u, err := url.Parse(strings.ReplaceAll(raw, "%s", endpointVerb))
	if err != nil || u.Opaque != "" || strings.Contains(u.Host, endpointVerb) {
		return redact(raw)
	}
	var b strings.Builder
	if u.Scheme != "" {
		b.WriteString(u.Scheme + ":")
	}
	if u.Host != "" || u.User != nil {
		b.WriteString("//")
	}
	if u.User != nil {
		b.WriteString("***@")
	}
	b.WriteString(u.Host)
	b.WriteString(pathToken.ReplaceAllString(u.EscapedPath(), "***"))
	if u.RawQuery != "" || u.ForceQuery {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, _, _ := strings.Cut(p, "=")
			parts[i] = pathToken.ReplaceAllString(k, "***") + "=***"
		}
		b.WriteString("?" + strings.Join(parts, "&"))
	}
	if u.Fragment != "" {
		b.WriteString("#***")
	}
	return strings.ReplaceAll(b.String(), endpointVerb, "%s")
}
