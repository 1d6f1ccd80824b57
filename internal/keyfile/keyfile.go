// Package keyfile keeps generated secrets (the managed Meilisearch's master
// key, the key that signs unsubscribe links) in files of mode 0600 under the
// data directory, so a restart reuses them and nobody else can read them.
package keyfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// LoadOrCreate returns the key in path, or writes a new one (32 random
// bytes, hex) with mode 0600. A key shorter than minLen is refused with a
// message saying to delete it; an existing file readable by others is
// narrowed to 0600.
func LoadOrCreate(path string, minLen int) (string, error) {
	return LoadOrCreateNamed(path, minLen, "key", "")
}

// LoadOrCreateNamed is LoadOrCreate whose errors call the secret name (e.g.
// "master key") and, when the stored key is too short, say who needs the
// length (needer, e.g. "Meilisearch"; "" for no one in particular), so an
// operator reading the message knows which file to delete and why.
func LoadOrCreateNamed(path string, minLen int, name, needer string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key := strings.TrimSpace(string(b))
		if len(key) < minLen {
			need := fmt.Sprintf("at least %d are needed", minLen)
			if needer != "" {
				need = fmt.Sprintf("%s needs at least %d", needer, minLen)
			}
			return "", fmt.Errorf("reading %s %s: it holds %d characters, %s; delete it to generate a new one", name, path, len(key), need)
		}
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(path, 0o600); err != nil {
				return "", fmt.Errorf("restricting %s %s to mode 0600: %w", name, path, err)
			}
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("reading %s %s: %w", name, path, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generating %s %s: %w", name, path, err)
	}
	key := hex.EncodeToString(raw)
	// O_EXCL: if two processes race, one fails instead of both writing.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("writing %s %s: %w", name, path, err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		_ = f.Close()
		return "", fmt.Errorf("writing %s %s: %w", name, path, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("writing %s %s: %w", name, path, err)
	}
	return key, nil
}
