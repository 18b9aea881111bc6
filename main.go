// Command khabar answers questions about the news in Persian, with cited
// sources, on Telegram and on the command line.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Asia/Tehran in minimal images without a zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "khabar:", err)
		os.Exit(exitCode(err))
	}
}

// exitCode is 2 for a command line khabar does not understand (as the
// flag package does), 1 for any other failure.
func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// run is the whole program: it reads the configuration through getenv,
// builds the parts and runs the command named by args.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return dispatch(ctx, args, getenv, stdin, stdout, stderr)
}
