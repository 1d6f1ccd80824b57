// Package storecopy is `markwatch migrate-store` (docs/DISTRIBUTED.md): it
// copies an installation's SQLite database into a PostgreSQL database that
// markwatch's own PostgreSQL migrations have made, keeping ids, and proves
// the copy by a row count and a SHA-256 per table computed the same way on
// both sides.
//
// Choices, and why:
//
//   - One PostgreSQL transaction for the whole copy, verification included:
//     a copy that fails or does not verify leaves the target as empty as it
//     was. Batches that commit would leave a half-filled target that the
//     next attempt must refuse (it is not empty), and the append-only
//     tables refuse DELETE and TRUNCATE, so only dropping the database
//     could clean it. PostgreSQL has no undo log to outgrow; a big
//     transaction costs WAL, which the rows cost anyway.
//   - Rows go in with COPY (pgx CopyFrom), taken from the *sql.DB's pgx
//     connection (sql.Conn.Raw), so the caller keeps the database/sql
//     handle the store uses; BenchmarkCopy measures it against multi-row
//     INSERTs.
//   - The target's column types decide how a SQLite value is converted
//     (coerce.go), and the source's hash is taken over the converted
//     values: the hash proves that PostgreSQL holds what the conversion
//     gave, and the conversion only changes representation (a BLOB that
//     database/sql wrote into a TEXT column becomes that text, an INTEGER
//     in a REAL column that float), never a value; what it cannot carry over
//     exactly it refuses, naming table, column and row.
//   - The source is read in one read transaction (one snapshot) and the
//     target's copied tables are locked against writers for the copy, so
//     the emptiness check, the copy and its verification see one state.
package storecopy
