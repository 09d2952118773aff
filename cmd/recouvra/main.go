// Command recouvra is the Recouvra server and its administration commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/recouvra/recouvra/internal/cli"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Environ: os.Environ(), ReadFile: os.ReadFile, Version: version,
	})
	stop()
	os.Exit(code)
}
