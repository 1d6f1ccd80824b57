package access

import "strings"

// maxAuthorization bounds the header we bother parsing; our tokens are 47
// characters.
const maxAuthorization = 512

// parseBearer reads "Bearer <token>" (RFC 6750: scheme case-insensitive,
// b64token characters). Any other scheme, an empty or oversized value, or
// characters outside b64token are an error: a client that sent credentials
// we cannot read is told so (401), never treated as anonymous by accident.
// The error never quotes the header.
func parseBearer(h string) (string, error) {
	if len(h) > maxAuthorization {
		return "", unauthorized("the Authorization header is too long")
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", unauthorized("the Authorization header must be \"Bearer <token>\"")
	}
	tok = strings.TrimLeft(tok, " ")
	if tok == "" {
		return "", unauthorized("the Authorization header has no token")
	}
	for i := 0; i < len(tok); i++ {
		if !isB64Token(tok[i]) {
			return "", unauthorized("the bearer token has characters a token cannot have")
		}
	}
	return tok, nil
}

// isB64Token: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" and
// trailing "=" (accepted anywhere; our tokens have none).
func isB64Token(c byte) bool {
	return isBase64URL(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '='
}
