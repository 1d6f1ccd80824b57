package evidence

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestHeadText(t *testing.T) {
	got := string(HeadText(42, strings.Repeat("0a", 32), time.Date(2026, 12, 1, 22, 0, 0, 1500, time.FixedZone("CST", 8*3600))))
	want := "markwatch evidence tree head v1\n42\n" + strings.Repeat("0a", 32) + "\n2026-12-01T14:00:00.0000015Z\n"
	if got != want {
		t.Errorf("head text %q, want %q", got, want)
	}
}

func TestLoadSigner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "evidence.key")
	s, err := LoadSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", st, err)
	}
	again, err := LoadSigner(path)
	if err != nil || again.KeyID() != s.KeyID() {
		t.Fatalf("reload: %v, key %s, want %s", err, again.KeyID(), s.KeyID())
	}
	if len(s.KeyID()) != 64 {
		t.Errorf("key id %q", s.KeyID())
	}
	if err := os.WriteFile(path, []byte(strings.Repeat("z", 64)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSigner(path); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("non-hex key: err = %v", err)
	}
}

func TestSignAndVerifyHead(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	s := NewSigner(priv)
	h := s.Sign(domain.TreeHead{ID: 3, Size: 10, RootHash: strings.Repeat("ab", 32), CreatedAt: time.Now()})
	if err := s.VerifyHead(h); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*domain.TreeHead){
		"size":      func(h *domain.TreeHead) { h.Size++ },
		"root":      func(h *domain.TreeHead) { h.RootHash = strings.Repeat("ac", 32) },
		"time":      func(h *domain.TreeHead) { h.CreatedAt = h.CreatedAt.Add(time.Nanosecond) },
		"signature": func(h *domain.TreeHead) { h.Signature = strings.Repeat("00", 64) },
		"garbage":   func(h *domain.TreeHead) { h.Signature = "xyz" },
	} {
		f := h
		change(&f)
		if err := s.VerifyHead(f); err == nil {
			t.Errorf("%s changed: head still verifies", name)
		}
	}
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	forged := NewSigner(other).Sign(h)
	if err := s.VerifyHead(forged); err == nil {
		t.Error("a head signed by another key verifies")
	}
	forged.KeyID = s.KeyID() // and claiming to be ours does not help
	if err := s.VerifyHead(forged); err == nil {
		t.Error("a head signed by another key under our key id verifies")
	}
}
