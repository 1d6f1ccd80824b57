package sqldialect

import (
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// UnsupportedError is a construct Postgres will not translate: its meaning
// differs in PostgreSQL (or PostgreSQL lacks it), so the statement needs a
// PostgreSQL text of its own declared beside the SQLite one.
type UnsupportedError struct {
	// Construct names what was found, as a reader would search for it:
	// "INSERT OR REPLACE", "json_each", "->>", "COLLATE NOCASE".
	Construct string
	// Offset is the byte offset of the construct in the SQLite text.
	Offset int
	// Why says what differs, for the message.
	Why string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("translating SQLite to PostgreSQL: %s at offset %d: %s; declare a PostgreSQL text for this statement",
		e.Construct, e.Offset, e.Why)
}

// Unwrap gives the error its code: a statement the dialect cannot carry is
// work not done yet, not bad input from a user.
func (e *UnsupportedError) Unwrap() error {
	return &domain.Error{Code: domain.ENOTIMPLEMENTED, Message: e.Error()}
}

// invalid is an error for text that is not a statement SQLite would take
// either (an unterminated literal, ?0).
func invalid(pos int, what string) error {
	return domain.Errorf(domain.EINVALID, "translating SQLite to PostgreSQL: %s at offset %d", what, pos)
}
