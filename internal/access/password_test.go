package access

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// The production parameters, once: format, round trip, time.
func TestHashPasswordProduction(t *testing.T) {
	start := time.Now()
	h, err := HashPassword("正确的马电池订书钉 correct horse")
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one production hash took %v", took)
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(h) {
		t.Fatalf("hash %q is not PHC argon2id", h)
	}
	if !VerifyPassword(h, "正确的马电池订书钉 correct horse") || VerifyPassword(h, "正确的马电池订书钉 correct hors") {
		t.Fatal("verification wrong")
	}
	h2, _ := HashPassword("正确的马电池订书钉 correct horse")
	if h == h2 {
		t.Fatal("same salt twice")
	}
}

func TestVerifyPasswordRefusesMalformedHashes(t *testing.T) {
	good, _ := hashWith(cheapParams(), "pw")
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":          "",
		"argon2i":        strings.Replace(good, "argon2id", "argon2i", 1),
		"version 16":     strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":    strings.Replace(good, "m=8,", "m=4294967295,", 1),
		"zero time":      strings.Replace(good, "t=1,", "t=0,", 1),
		"leading zero":   strings.Replace(good, "t=1,", "t=01,", 1),
		"signed":         strings.Replace(good, "t=1,", "t=+1,", 1),
		"many threads":   strings.Replace(good, "p=1$", "p=255$", 1),
		"short salt":     "$argon2id$v=19$m=8,t=1,p=1$YWJj$" + parts[5],
		"short key":      "$argon2id$v=19$m=8,t=1,p=1$" + parts[4] + "$YWJj",
		"padded base64":  good + "=",
		"trailing field": good + "$x",
		"bcrypt":         "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"plaintext":      "pw",
	} {
		if VerifyPassword(h, "pw") {
			t.Errorf("%s: verified", name)
		}
		if _, err := parseHash(h); err == nil {
			t.Errorf("%s: parsed", name)
		} else if strings.Contains(err.Error(), h) && h != "" {
			t.Errorf("%s: error quotes the hash", name)
		}
	}
	if !VerifyPassword(good, "pw") {
		t.Fatal("good hash refused")
	}
}

func TestCheckPassword(t *testing.T) {
	for _, c := range []struct {
		pw, name string
		ok       bool
	}{
		{"0123456789", "ops", true},
		{"012345678", "ops", false},
		{"我的密码是十个汉字呀", "ops", true}, // 10 runes, 30 bytes
		{"我的密码是九个汉字", "ops", false}, // 9 runes, 27 bytes: bytes do not count
		{"administrator", "administrator", false},
		{"Administrator", "administrator", false},
		{strings.Repeat("x", 1025), "ops", false},
		{"\xff\xfe" + strings.Repeat("x", 10), "ops", false},
	} {
		err := CheckPassword(c.pw, c.name)
		if (err == nil) != c.ok {
			t.Errorf("CheckPassword(%q): %v", c.pw, err)
		}
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("code %q", domain.ErrorCode(err))
			}
			if strings.Contains(err.Error(), c.pw) {
				t.Errorf("error quotes the password: %v", err)
			}
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		p, err := GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 16 || strings.ContainsAny(p, "0O1lIo") || CheckPassword(p, "admin") != nil {
			t.Fatalf("generated %q", p)
		}
		for _, c := range p {
			if !strings.ContainsRune(passwordAlphabet, c) {
				t.Fatalf("generated %q outside the alphabet", p)
			}
		}
		if seen[p] {
			t.Fatal("repeated password")
		}
		seen[p] = true
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("benchmark password"); err != nil {
			b.Fatal(err)
		}
	}
}
