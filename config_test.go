package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Credentials a test puts into a .env file; none may reach an error.
const (
	envToken = "123456:AAEnvFileTokenSecret"
	envKey   = "sk-envfileKEYsecret42"
)

// TestMalformedEnvFileNamesTheLineOnly: a line without =, an unterminated
// quote (which would swallow the lines after it) and text after a closing
// quote fail with the file and the line, and the error quotes none of the
// file, least of all the token and the key written after the bad line.
func TestMalformedEnvFileNamesTheLineOnly(t *testing.T) {
	tests := []struct {
		name, bad string
		reason    string
	}{
		{"no equals sign", "TOP_K 5", reasonNoEquals},
		{"a bare word", "oops", reasonNoEquals},
		{"unterminated double quote", `LOG_LEVEL="info`, reasonUnterminated},
		{"unterminated single quote", `OPENAI_CHAT_MODEL='gpt`, reasonUnterminated},
		{"escaped closing quote", `OPENAI_CHAT_MODEL="gpt\"`, reasonUnterminated},
		{"text after the quote", `OPENAI_CHAT_MODEL="gpt" mini`, reasonAfterQuote},
		{"bad name", "TOP-K=5", reasonBadKey},
		{"export without =", "export TOP_K", reasonNoEquals},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := testEnv(t)
			content := "# khabar\nLOG_FORMAT=text\n" + tt.bad + "\nTELEGRAM_BOT_TOKEN=" + envToken + "\nOPENAI_API_KEY=\"" + envKey + "\"\n"
			os.WriteFile(vars["ENV_FILE"], []byte(content), 0o600)
			_, stderr, err := runCmd(t, vars, "", "config")
			if err == nil {
				t.Fatal("a malformed .env was accepted")
			}
			msg := err.Error() + stderr
			if want := vars["ENV_FILE"] + ":3: " + tt.reason; !strings.Contains(msg, want) {
				t.Errorf("got %q, want it to contain %q", msg, want)
			}
			for _, leak := range []string{"AAEnvFileTokenSecret", "envfileKEYsecret42", tt.bad, "TELEGRAM_BOT_TOKEN"} {
				if strings.Contains(msg, leak) {
					t.Errorf("the error quotes %q: %s", leak, msg)
				}
			}
			var se *EnvSyntaxError
			if !errors.As(err, &se) || se.Line != 3 {
				t.Errorf("got %#v, want an *EnvSyntaxError on line 3", err)
			}
		})
	}
}

func TestEnvFileSyntaxStillRead(t *testing.T) {
	content := "# comment\n\nexport TOP_K=7\nCHUNK_WORDS = 90 # a comment\r\nOPENAI_CHAT_MODEL=\"a \\\"b\\\" c\"   # quoted\nLOG_LEVEL='warn'\nDATA_DIR=/x/${TOP_K}\n"
	got, err := parseEnv("t.env", []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"TOP_K": "7", "CHUNK_WORDS": "90", "OPENAI_CHAT_MODEL": `a "b" c`, "LOG_LEVEL": "warn", "DATA_DIR": "/x/7"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestConfigErrorsQuoteNoValue: a value in the wrong variable (a token
// pasted into TOP_K, a URL with a password) is named, never printed.
func TestConfigErrorsQuoteNoValue(t *testing.T) {
	const secret = "pa55-SECRET-word"
	tests := []struct{ key, value string }{
		{"TOP_K", secret},
		{"OPENAI_TIMEOUT", secret},
		{"ADMIN_USER_IDS", "1," + secret},
		{"USER_QUESTIONS_PER_MINUTE", secret},
		{"EMBEDDER", secret},
		{"LOG_LEVEL", secret},
		{"LOG_FORMAT", secret},
		{"OPS_LISTEN", secret},
		{"OPENAI_BASE_URL", "ftp://user:" + secret + "@llm.example/v1"},
		{"WEBHOOK_URL", "http://user:" + secret + "@bot.example/hook"},
		{"TELEGRAM_API_ENDPOINT", "https://user:" + secret + "@tg.example/bot%s"},
		{"STATE_BACKEND", secret},
		{"DATABASE_URL", "postgres://user:" + secret + "@db.example:5432/khabar?sslmode=" + secret},
		{"DATABASE_URL", "host=db password=" + secret + " port=notaport"},
		{"INDEX_BACKEND", secret},
		{"WEAVIATE_URL", "ftp://user:" + secret + "@weaviate.example"},
		{"WEAVIATE_SHARDS", secret},
		{"WEAVIATE_REPLICAS", "0"},
		{"WEAVIATE_TIMEOUT", secret},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			vars := testEnv(t, "WEBHOOK_SECRET", "s", tt.key, tt.value)
			_, err := loadConfig(mapenv(vars))
			if err == nil || !strings.Contains(err.Error(), tt.key) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid naming %s", err, tt.key)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error quotes the value: %v", err)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ give, want string }{
		{"http://localhost:11434/v1", "http://localhost:11434/v1"},
		{"https://user:pa55@llm.example/v1", "https://***@llm.example/v1"},
		{"https://llm.example/v1?api-key=abc&x=1", "https://llm.example/v1?api-key=***&x=***"},
		{"https://api.telegram.org/bot%s/%s", "https://api.telegram.org/bot%s/%s"},
		{"https://u:p@tg.example/bot%s/%s", "https://***@tg.example/bot%s/%s"},
		{"https://bot.example/bot123456:ABC-def_ghi/hook", "https://bot.example/bot***/hook"},
		{"https://bot.example/hook#frag", "https://bot.example/hook#***"},
		{"http://[::1]:8080/x", "http://[::1]:8080/x"},
		{"::not a url", "***"},
	}
	for _, tt := range tests {
		if got := redactURL(tt.give); got != tt.want {
			t.Errorf("redactURL(%q): got %q, want %q", tt.give, got, tt.want)
		}
	}
}

// TestConfigAndLogsHideURLCredentials: `khabar config` and every log line
// show the three URLs without their credentials, and so does an error a
// library returns quoting one (here the language model's client, whose
// dial error quotes the base URL with its query).
func TestConfigAndLogsHideURLCredentials(t *testing.T) {
	secrets := []string{"llmPa55word", "qKeySecret", "tgPa55word", "hookPa55", "654321:WebhookPathToken", "hookQuerySecret"}
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "LOG_LEVEL", "debug",
		"OPENAI_BASE_URL", "http://llmuser:llmPa55word@127.0.0.1:1/v1?api_key=qKeySecret",
		"OPENAI_RETRIES", "0", "OPENAI_TIMEOUT", "1s",
		"TELEGRAM_API_ENDPOINT", "https://tg:tgPa55word@tg.example/bot%s/%s",
		"WEBHOOK_URL", "https://hook:hookPa55@bot.example/bot654321:WebhookPathToken/hook?k=hookQuerySecret",
		"WEBHOOK_SECRET", "whsecret")
	out, _, err := runCmd(t, vars, "", "config")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"OPENAI_BASE_URL=http://***@127.0.0.1:1/v1?api_key=***", "TELEGRAM_API_ENDPOINT=https://***@tg.example/bot%s/%s", "WEBHOOK_URL=https://***@bot.example/bot***/hook?k=***"} {
		if !strings.Contains(out, want) {
			t.Errorf("config lacks %q:\n%s", want, out)
		}
	}
	answer, logs, err := runCmd(t, vars, "", "ask", "قیمت دلار")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs, "generative answer failed") || !strings.Contains(logs, "127.0.0.1:1") {
		t.Fatalf("the failed model call was not logged:\n%s", logs)
	}
	var cfgLog bytes.Buffer
	cfg, err := loadConfig(mapenv(vars))
	if err != nil {
		t.Fatal(err)
	}
	newLogger(cfg, &cfgLog).Info("config", "config", cfg)
	for _, s := range secrets {
		for what, text := range map[string]string{"config": out, "logs": logs, "answer": answer, "LogValue": cfgLog.String()} {
			if strings.Contains(text, s) {
				t.Errorf("%s shows %q:\n%s", what, s, text)
			}
		}
	}
}

// TestScrubbedErrorKeepsTheChain: main prints a command's error without
// the credentials, and errors.Is still sees through it.
func TestScrubbedErrorKeepsTheChain(t *testing.T) {
	cfg := Config{TelegramBotToken: envToken, OpenAIBaseURL: "http://u:longpassword@h/v1"}
	err := newScrubber(cfg).error(errors.Join(errUsage, errors.New("dial http://u:longpassword@h/v1 with "+envToken)))
	if strings.Contains(err.Error(), "longpassword") || strings.Contains(err.Error(), "AAEnvFileTokenSecret") {
		t.Errorf("not scrubbed: %v", err)
	}
	if !errors.Is(err, errUsage) {
		t.Errorf("the chain is lost: %v", err)
	}
}

// TestEnvFileOutsideTheRepo keeps the default .env optional.
func TestEnvFileOptional(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	if _, err := loadConfig(mapenv(map[string]string{"DATA_DIR": filepath.Join(dir, "d")})); err != nil {
		t.Errorf("no .env: %v", err)
	}
}

// TestStateBackendPostgresConfig: STATE_BACKEND=postgres needs a
// DATABASE_URL, and `khabar config` and the logs show the URL without its
// password, in URL or key=value form.
func TestStateBackendPostgresConfig(t *testing.T) {
	vars := testEnv(t, "STATE_BACKEND", "postgres")
	if _, err := loadConfig(mapenv(vars)); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") || !errors.Is(err, ErrInvalid) {
		t.Errorf("postgres without DATABASE_URL: %v", err)
	}
	tests := []struct{ url, shown, secret string }{
		{"postgres://khabar:dbPa55word@db.example:5432/khabar?sslmode=disable", "DATABASE_URL=postgres://***@db.example:5432/khabar?sslmode=***", "dbPa55word"},
		{"host=db.example user=khabar password='db Pa55 word' dbname=khabar", "DATABASE_URL=host=db.example user=khabar password=*** dbname=khabar", "db Pa55 word"},
		{"host=db.example password=dbPa55word", "DATABASE_URL=host=db.example password=***", "dbPa55word"},
	}
	for _, tt := range tests {
		vars := testEnv(t, "STATE_BACKEND", "postgres", "DATABASE_URL", tt.url)
		out, _, err := runCmd(t, vars, "", "config")
		if err != nil {
			t.Fatalf("%s: %v", tt.url, err)
		}
		if !strings.Contains(out, tt.shown) || !strings.Contains(out, "STATE_BACKEND=postgres") {
			t.Errorf("config lacks %q:\n%s", tt.shown, out)
		}
		cfg, err := loadConfig(mapenv(vars))
		if err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		log := newLogger(cfg, &logs)
		log.Info("config", "config", cfg)
		log.Error("connect", "err", errors.New("dial "+tt.url+" failed"))
		for what, text := range map[string]string{"config": out, "logs": logs.String()} {
			if strings.Contains(text, tt.secret) {
				t.Errorf("%s shows the password %q:\n%s", what, tt.secret, text)
			}
		}
	}
}

// TestWeaviateBackendNeedsAURL: INDEX_BACKEND=weaviate needs WEAVIATE_URL;
// shards and replicas are read; the default backend is in-process.
func TestWeaviateBackendNeedsAURL(t *testing.T) {
	vars := testEnv(t, "INDEX_BACKEND", "weaviate")
	if _, err := loadConfig(mapenv(vars)); err == nil || !strings.Contains(err.Error(), "WEAVIATE_URL") {
		t.Errorf("INDEX_BACKEND=weaviate without WEAVIATE_URL: %v", err)
	}
	vars = testEnv(t, "INDEX_BACKEND", "weaviate", "WEAVIATE_URL", "http://127.0.0.1:8080", "WEAVIATE_SHARDS", "3", "WEAVIATE_REPLICAS", "2")
	cfg, err := loadConfig(mapenv(vars))
	if err != nil || cfg.WeaviateShards != 3 || cfg.WeaviateReplicas != 2 || cfg.IndexBackend != "weaviate" {
		t.Errorf("valid weaviate config: %+v, %v", cfg, err)
	}
	for _, bad := range []string{"khabar", "K-1", "Kh abar", "1K"} {
		vars := testEnv(t, "INDEX_BACKEND", "weaviate", "WEAVIATE_URL", "http://127.0.0.1:8080", "WEAVIATE_PREFIX", bad)
		if _, err := loadConfig(mapenv(vars)); err == nil || !strings.Contains(err.Error(), "WEAVIATE_PREFIX") {
			t.Errorf("WEAVIATE_PREFIX=%q: %v, want an error naming it", bad, err)
		}
	}
	vars = testEnv(t, "INDEX_BACKEND", "weaviate", "WEAVIATE_URL", "http://127.0.0.1:8080", "WEAVIATE_PREFIX", "Staging2")
	if cfg, err := loadConfig(mapenv(vars)); err != nil || cfg.WeaviatePrefix != "Staging2" {
		t.Errorf("WEAVIATE_PREFIX=Staging2: %q, %v", cfg.WeaviatePrefix, err)
	}
	if cfg, err := loadConfig(mapenv(testEnv(t))); err != nil || cfg.IndexBackend != "in-process" {
		t.Errorf("default backend: %q, %v", cfg.IndexBackend, err)
	}
}
