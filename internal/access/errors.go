package access

import "github.com/markwatch/markwatch/internal/domain"

// Error codes the guard answers with, besides the domain codes. The HTTP
// statuses are in the comments; httpapi maps them the same way.
const (
	CodeUnauthorized           = "unauthorized"             // 401
	CodeForbidden              = "forbidden"                // 403
	CodePasswordChangeRequired = "password_change_required" // 403
	CodeMisdirected            = "misdirected_request"      // 421
	CodeMethodNotAllowed       = "method_not_allowed"       // 405
)

func unauthorized(msg string) *domain.Error {
	return &domain.Error{Code: CodeUnauthorized, Message: msg}
}

// wrongCredentials is the one answer to a failed sign-in, whatever failed
// (unknown user, disabled user, wrong password), so it tells an attacker
// nothing about which accounts exist.
func wrongCredentials() *domain.Error {
	return unauthorized("用户名或密码错误 wrong user name or password")
}
