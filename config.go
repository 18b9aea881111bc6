package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"strings"

	"github.com/caarlos0/env/v11"
	"github.com/joho/godotenv"
)

// Config is every setting of khabar, read from the environment (and an
// optional .env file) by [loadConfig]. config.example.env documents each
// variable and its default.
type Config struct {
	SeedsDir string `env:"SEEDS_DIR" envDefault:"seeds"`
	DataDir  string `env:"DATA_DIR" envDefault:"data"`

	Embedder      string `env:"EMBEDDER" envDefault:"local"`
	LocalEmbedDim int    `env:"LOCAL_EMBED_DIM" envDefault:"256"`

	TopK            int   `env:"TOP_K" envDefault:"5"`
	ChunkWords      int   `env:"CHUNK_WORDS" envDefault:"120"`
	ChunkMaxWords   int   `env:"CHUNK_MAX_WORDS" envDefault:"220"`
	ChunkOverlap    int   `env:"CHUNK_OVERLAP" envDefault:"1"`
	MaxArticleBytes int64 `env:"MAX_ARTICLE_BYTES" envDefault:"1048576"`
	MaxAnswerLines  int   `env:"MAX_ANSWER_SENTENCES" envDefault:"4"`

	LogLevel  string `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat string `env:"LOG_FORMAT" envDefault:"text"`
}

// ErrInvalid marks a variable whose value is out of range or unknown.
var ErrInvalid = errors.New("invalid value")

// secretVars are never printed.
var secretVars = map[string]bool{}

// loadConfig returns the defaults overridden by the .env file (ENV_FILE,
// default ".env", optional) and then by the environment, validated.
func loadConfig(getenv func(string) string) (Config, error) {
	values := map[string]string{}
	envFile := getenv("ENV_FILE")
	explicit := envFile != ""
	if !explicit {
		envFile = ".env"
	}
	fileVals, err := godotenv.Read(envFile)
	switch {
	case err == nil:
		for k, v := range fileVals {
			values[k] = v
		}
	case explicit || !errors.Is(err, os.ErrNotExist):
		return Config{}, fmt.Errorf("ENV_FILE %s: %w", envFile, err)
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
				errs = append(errs, fmt.Errorf("%s: %w: %w", key, ErrInvalid, pe.Err))
				continue
			}
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// Validate checks every value and returns one error per bad variable.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %w: %s", key, ErrInvalid, fmt.Sprintf(format, args...)))
	}
	switch c.Embedder {
	case "local":
	default:
		bad("EMBEDDER", "%q is not one of local", c.Embedder)
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
	if c.MaxAnswerLines < 1 || c.MaxAnswerLines > 10 {
		bad("MAX_ANSWER_SENTENCES", "%d is outside 1–10", c.MaxAnswerLines)
	}
	if c.SeedsDir == "" {
		bad("SEEDS_DIR", "empty")
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		bad("LOG_LEVEL", "%q is not debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("LOG_FORMAT", "%q is not text or json", c.LogFormat)
	}
	return errors.Join(errs...)
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
		if secretVars[key] && val != "" {
			val = redact(val)
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
