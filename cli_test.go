package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// TestEveryCommandAnswersHelp runs each command with -h and --help: its
// own usage on stdout, no error (exit 0), and nothing run — serve does not
// start the bot (it would fail without a token), summary does not take
// --help for a topic.
func TestEveryCommandAnswersHelp(t *testing.T) {
	for name, c := range commands {
		for _, flag := range []string{"-h", "--help", "-help"} {
			t.Run(name+" "+flag, func(t *testing.T) {
				// A broken configuration: help must not need it.
				vars := testEnv(t, "TOP_K", "many")
				out, stderr, err := runCmd(t, vars, "", name, flag)
				if err != nil {
					t.Fatalf("got %v, want no error\n%s", err, stderr)
				}
				if !strings.HasPrefix(out, "usage: khabar "+c.synopsis+"\n") {
					t.Errorf("stdout does not start with the command's usage:\n%s", out)
				}
				if strings.Contains(out, "خلاصه اخبار") || strings.Contains(stderr, "level=") {
					t.Errorf("the command ran:\n%s\n%s", out, stderr)
				}
			})
		}
	}
}

// TestEveryCommandRejectsUnknownFlags: a flag the command does not take is
// a usage error (exit 2), reported with the command's usage on stderr.
func TestEveryCommandRejectsUnknownFlags(t *testing.T) {
	for name, c := range commands {
		t.Run(name, func(t *testing.T) {
			out, stderr, err := runCmd(t, testEnv(t), "", name, "--frobnicate")
			if !errors.Is(err, errUsage) || exitCode(err) != 2 {
				t.Fatalf("got %v (exit %d), want errUsage (exit 2)", err, exitCode(err))
			}
			if !strings.Contains(stderr, "-frobnicate") || !strings.Contains(stderr, "usage: khabar "+c.synopsis) {
				t.Errorf("stderr lacks the flag or the usage:\n%s", stderr)
			}
			if out != "" {
				t.Errorf("stdout: %q, want nothing", out)
			}
		})
	}
}

func TestCommandArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"ask without a question", []string{"ask"}},
		{"ask with a blank question", []string{"ask", "  "}},
		{"index with an argument", []string{"index", "now"}},
		{"serve with an argument", []string{"serve", "x"}},
		{"config with an argument", []string{"config", "x"}},
		{"eval with an argument", []string{"eval", "--corpus", "a", "--questions", "b", "extra"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, testEnv(t), "", tt.args...)
			if !errors.Is(err, errUsage) || exitCode(err) != 2 {
				t.Errorf("got %v (exit %d), want errUsage (exit 2)", err, exitCode(err))
			}
		})
	}
}

func TestHelpNamesACommand(t *testing.T) {
	out, _, err := runCmd(t, testEnv(t), "", "help", "summary")
	if err != nil || !strings.HasPrefix(out, "usage: khabar summary [text]") {
		t.Errorf("help summary: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, testEnv(t), "", "--help")
	if err != nil || !strings.Contains(out, "  version ") {
		t.Errorf("--help: %v\n%s", err, out)
	}
}

func TestFormatVersion(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/khabar/khabar", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "f950e65abc"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := formatVersion(info), "khabar v1.2.3 revision f950e65abc+dirty (2026-12-01T10:00:00Z) go1.26.8"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := formatVersion(&debug.BuildInfo{GoVersion: "go1.26.8"}), "khabar (devel) go1.26.8"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestVersionCommand runs `khabar version` in-process and on a built
// binary, whose build information names the Go version it was built with.
func TestVersionCommand(t *testing.T) {
	out, _, err := runCmd(t, testEnv(t, "TOP_K", "many"), "", "version")
	if err != nil || !strings.HasPrefix(out, "khabar ") {
		t.Errorf("version: %v %q", err, out)
	}
	if testing.Short() {
		return
	}
	bin := filepath.Join(t.TempDir(), "khabar")
	if msg, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, msg)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	got, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	info, _ := debug.ReadBuildInfo()
	if !strings.HasPrefix(string(got), "khabar ") || !strings.Contains(string(got), info.GoVersion) {
		t.Errorf("version: %q, want khabar … %s", got, info.GoVersion)
	}
	// The binary's exit codes: 2 for a bad flag, 0 for help.
	for args, want := range map[string]int{"ask --nope": 2, "serve --help": 0, "ask": 2} {
		cmd := exec.Command(bin, strings.Fields(args)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "DATA_DIR=" + t.TempDir(), "TELEGRAM_BOT_TOKEN=1:x", "TELEGRAM_API_ENDPOINT=http://127.0.0.1:1/bot%s/%s"}
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		if code != want {
			t.Errorf("khabar %s: exit %d, want %d", args, code, want)
		}
	}
}
