package index

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// masterKeyFile is where a managed server's master key lives in its data dir.
const masterKeyFile = "master.key"

// loadOrCreateMasterKey reuses the key in dir/master.key or writes a new one
// (32 random bytes, hex) with mode 0600: the key guards the index, and keeping
// it lets a restarted server open the same data.
func loadOrCreateMasterKey(dir string) (string, error) {
	path := filepath.Join(dir, masterKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		key := strings.TrimSpace(string(b))
		if len(key) < 16 {
			return "", fmt.Errorf("reading master key %s: it holds %d characters, Meilisearch needs at least 16; delete it to generate a new one", path, len(key))
		}
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(path, 0o600); err != nil {
				return "", fmt.Errorf("restricting master key %s to mode 0600: %w", path, err)
			}
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("reading master key %s: %w", path, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generating master key: %w", err)
	}
	key := hex.EncodeToString(raw)
	// O_EXCL: if two processes race, one fails instead of both writing.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("writing master key %s: %w", path, err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		_ = f.Close()
		return "", fmt.Errorf("writing master key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("writing master key %s: %w", path, err)
	}
	return key, nil
}
