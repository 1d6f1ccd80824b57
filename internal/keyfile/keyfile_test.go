package keyfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOrCreate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.key")
	first, err := LoadOrCreate(path, 16)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 64 {
		t.Errorf("generated key has %d characters, want 64 hex", len(first))
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", st.Mode().Perm())
	}
	again, err := LoadOrCreate(path, 16)
	if err != nil || again != first {
		t.Errorf("second load = %q, %v; want the same key", again, err)
	}

	// A key left readable by others is narrowed, not trusted as is.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(path, 16); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode after load %04o, want 0600", st.Mode().Perm())
	}

	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte("abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(short, 16); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("short key: err = %v, want a message saying to delete it", err)
	}
}

// A named key's errors say which secret and who needs its length.
func TestLoadOrCreateNamedShort(t *testing.T) {
	short := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(short, []byte("abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreateNamed(short, 16, "master key", "Meilisearch")
	want := "reading master key " + short + ": it holds 3 characters, Meilisearch needs at least 16; delete it to generate a new one"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
