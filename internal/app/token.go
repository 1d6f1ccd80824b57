package app

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// daemonToken is the bearer token the CLI's daemon commands send:
// MARKWATCH_TOKEN, else the file named by --token-file or
// MARKWATCH_TOKEN_FILE. The file must be readable by its owner only, as
// ssh insists for keys: a token in a world-readable file is already lost.
func daemonToken(env Env, file string) (string, error) {
	if v, ok := env.Getenv("MARKWATCH_TOKEN"); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), nil
	}
	if file == "" {
		file, _ = env.Getenv("MARKWATCH_TOKEN_FILE")
	}
	if file == "" {
		return "", domain.Errorf(domain.EINVALID,
			"no API token: set MARKWATCH_TOKEN (create one with `markwatch tokens create --user NAME`) or MARKWATCH_TOKEN_FILE / --token-file to a mode-0600 file holding it")
	}
	st, err := os.Stat(file)
	if err != nil {
		return "", fmt.Errorf("reading token file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return "", domain.Errorf(domain.EINVALID, "token file %s is mode %04o, readable by others; run chmod 600 %s", file, st.Mode().Perm(), file)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("reading token file: %w", err)
	}
	tok := strings.TrimSpace(string(raw))
	if tok == "" {
		return "", domain.Errorf(domain.EINVALID, "token file %s is empty", file)
	}
	return tok, nil
}

// tokenFileFlag adds --token-file to a command that talks to the daemon.
func tokenFileFlag(fs *flag.FlagSet) *string {
	return fs.String("token-file", "", "file (mode 0600) holding the API token, if MARKWATCH_TOKEN is not set (env MARKWATCH_TOKEN_FILE)")
}
