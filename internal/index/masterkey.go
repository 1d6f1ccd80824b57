package index

import (
	"path/filepath"

	"github.com/markwatch/markwatch/internal/keyfile"
)

// masterKeyFile is where a managed server's master key lives in its data dir.
const masterKeyFile = "master.key"

// loadOrCreateMasterKey reuses the key in dir/master.key or writes a new one
// (32 random bytes, hex) with mode 0600: the key guards the index, and keeping
// it lets a restarted server open the same data. Meilisearch refuses a master
// key shorter than 16 characters, so a shorter file is refused here first.
func loadOrCreateMasterKey(dir string) (string, error) {
	return keyfile.LoadOrCreateNamed(filepath.Join(dir, masterKeyFile), 16, "master key", "Meilisearch")
}
