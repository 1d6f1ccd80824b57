package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/markwatch/markwatch/internal/domain"
)

// Argon2id parameters for new hashes. They are OWASP's first recommended
// set (19 MiB, two passes, one lane): on the 2-CPU build machine one hash
// takes about 64 ms, slow enough that a stolen database is expensive to
// crack, fast enough that a sign-in is not noticeably slower and a burst of
// 20 attempts (the per-address throttle) costs the daemon ~1.3 CPU-seconds
// and 19 MiB each at most. Old hashes keep verifying: the parameters are
// read from each hash string.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// Bounds on parameters read from a stored hash, so a tampered or corrupt
// row cannot make one sign-in allocate gigabytes or spin for minutes.
const (
	maxArgonMemoryKiB = 1024 * 1024
	maxArgonTime      = 16
	maxArgonThreads   = 16
	minSaltLen        = 8
	maxSaltLen        = 64
	minKeyLen         = 16
	maxKeyLen         = 64
)

// Password policy.
const (
	minPasswordRunes = 10
	// maxPasswordBytes keeps a pasted novel out of the hash function and
	// the form parser; no one types more.
	maxPasswordBytes = 1024
)

// hashParams are the argon2id settings of one hash.
type hashParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	keyLen  uint32
}

func defaultHashParams() hashParams {
	return hashParams{memory: argonMemoryKiB, time: argonTime, threads: argonThreads, keyLen: argonKeyLen}
}

// phc is a parsed hash string.
type phc struct {
	params hashParams
	salt   []byte
	key    []byte
}

// HashPassword hashes pw with argon2id and a fresh random salt, in PHC
// string format: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(pw string) (string, error) {
	return hashWith(defaultHashParams(), pw)
}

func hashWith(p hashParams, pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hashing a password: reading random salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, p.keyLen)
	return formatHash(phc{params: p, salt: salt, key: key}), nil
}

// formatHash writes the PHC string. Its base64 is the standard alphabet
// without padding.
func formatHash(h phc) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.memory, h.params.time, h.params.threads, b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// VerifyPassword reports whether pw matches hash. A malformed hash never
// matches. The derived keys are compared in constant time.
func VerifyPassword(hash, pw string) bool {
	h, err := parseHash(hash)
	if err != nil {
		return false
	}
	key := argon2.IDKey([]byte(pw), h.salt, h.params.time, h.params.memory, h.params.threads, h.params.keyLen)
	return subtle.ConstantTimeCompare(key, h.key) == 1
}

// parseHash reads a PHC argon2id string strictly: one spelling per value,
// parameters within bounds. Errors never quote the hash.
func parseHash(s string) (phc, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return phc{}, fmt.Errorf("parsing a password hash: want $argon2id$v=…$m=…,t=…,p=…$salt$hash")
	}
	if parts[1] != "argon2id" {
		return phc{}, fmt.Errorf("parsing a password hash: algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return phc{}, fmt.Errorf("parsing a password hash: unsupported argon2 version")
	}
	b64 := base64.RawStdEncoding.Strict()
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return phc{}, fmt.Errorf("parsing a password hash: want parameters m, t and p")
	}
	m, err := paramValue(kv[0], "m", maxArgonMemoryKiB)
	if err != nil {
		return phc{}, err
	}
	t, err := paramValue(kv[1], "t", maxArgonTime)
	if err != nil {
		return phc{}, err
	}
	p, err := paramValue(kv[2], "p", maxArgonThreads)
	if err != nil {
		return phc{}, err
	}
	if m < 8*p {
		return phc{}, fmt.Errorf("parsing a password hash: memory below 8 KiB per lane")
	}
	// Decoding skips \r and \n even in strict mode; re-encoding catches
	// them and any other second spelling.
	salt, err := b64.DecodeString(parts[4])
	if err != nil || b64.EncodeToString(salt) != parts[4] || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return phc{}, fmt.Errorf("parsing a password hash: bad salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || b64.EncodeToString(key) != parts[5] || len(key) < minKeyLen || len(key) > maxKeyLen {
		return phc{}, fmt.Errorf("parsing a password hash: bad key")
	}
	return phc{params: hashParams{memory: m, time: t, threads: uint8(p), keyLen: uint32(len(key))}, salt: salt, key: key}, nil
}

// paramValue parses "name=N" with 1 ≤ N ≤ max and no leading zeros or
// signs, so each hash has one spelling.
func paramValue(s, name string, max uint32) (uint32, error) {
	v, ok := strings.CutPrefix(s, name+"=")
	if !ok || v == "" || (len(v) > 1 && v[0] == '0') || len(v) > 10 {
		return 0, fmt.Errorf("parsing a password hash: bad parameter %s", name)
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("parsing a password hash: bad parameter %s", name)
		}
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n < 1 || n > uint64(max) {
		return 0, fmt.Errorf("parsing a password hash: parameter %s out of range", name)
	}
	return uint32(n), nil
}

// CheckPassword applies the password policy: at least 10 characters
// (runes, so a Chinese passphrase counts by characters, not bytes), at most
// 1024 bytes, and not the user name. The message never quotes the password.
func CheckPassword(pw, userName string) error {
	if !utf8.ValidString(pw) {
		return domain.Errorf(domain.EINVALID, "密码不是有效的 UTF-8 文本 the password is not valid UTF-8 text")
	}
	if utf8.RuneCountInString(pw) < minPasswordRunes {
		return domain.Errorf(domain.EINVALID, "密码至少需要 %d 个字符 the password needs at least %d characters", minPasswordRunes, minPasswordRunes)
	}
	if len(pw) > maxPasswordBytes {
		return domain.Errorf(domain.EINVALID, "密码过长 the password is longer than %d bytes", maxPasswordBytes)
	}
	if strings.EqualFold(strings.TrimSpace(pw), strings.TrimSpace(userName)) {
		return domain.Errorf(domain.EINVALID, "密码不能与用户名相同 the password must not be the user name")
	}
	return nil
}

// passwordAlphabet leaves out characters that read alike (0 O o, 1 l I)
// so a generated password survives being read aloud or copied by hand.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

const generatedPasswordLen = 16 // 16 × log2(56) ≈ 93 bits

// GeneratePassword returns a random 16-character password for first-start
// admins and resets; users are made to change it at first sign-in.
func GeneratePassword() (string, error) {
	// Rejection sampling keeps every character equally likely: bytes at or
	// above the largest multiple of the alphabet size are thrown away.
	const n = len(passwordAlphabet)
	limit := byte(256 - 256%n)
	out := make([]byte, 0, generatedPasswordLen)
	buf := make([]byte, 2*generatedPasswordLen)
	for len(out) < generatedPasswordLen {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("generating a password: %w", err)
		}
		for _, b := range buf {
			if b < limit && len(out) < generatedPasswordLen {
				out = append(out, passwordAlphabet[int(b)%n])
			}
		}
	}
	return string(out), nil
}
