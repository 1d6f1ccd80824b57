// Command markwatch watches marketplaces for look-alikes of protected Chinese
// names. See README.md; everything lives in internal/app.
package main

import (
	"context"
	"os"

	"github.com/markwatch/markwatch/internal/app"
)

func main() {
	os.Exit(app.Main(context.Background(), os.Args[1:], app.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.LookupEnv, Environ: os.Environ,
	}))
}
