package storecopy

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
)

// Value tags of the row encoding. NULL has a tag of its own and no payload,
// so it differs from ” (text of length 0) and from 0 (integer "0").
const (
	tagNull  = 'n'
	tagInt   = 'i'
	tagFloat = 'f'
	tagText  = 't'
	tagBlob  = 'b'
)

// hashVersion starts every table hash, so a change to the encoding cannot
// be mistaken for a change to the data.
const hashVersion = "markwatch-storecopy-v1"

// appendValue appends v's encoding to buf: a tag, then (except for NULL)
// the payload's length as a uvarint and the payload. An integer is its
// decimal text, a float the shortest text that reads back as the same
// float64 (so -0 and 0 differ, and no two floats share one), text and blobs
// their bytes. Tagged and length-prefixed, a row's values concatenate
// without ambiguity. v is a normalised value: nil, int64, float64, string
// or []byte.
func appendValue(buf []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(buf, tagNull), nil
	case int64:
		return appendPayload(buf, tagInt, strconv.AppendInt(nil, x, 10)), nil
	case float64:
		return appendPayload(buf, tagFloat, strconv.AppendFloat(nil, x, 'g', -1, 64)), nil
	case string:
		buf = append(buf, tagText)
		buf = binary.AppendUvarint(buf, uint64(len(x)))
		return append(buf, x...), nil
	case []byte:
		return appendPayload(buf, tagBlob, x), nil
	default:
		return buf, fmt.Errorf("encoding a value: %T is not a stored type", v)
	}
}

func appendPayload(buf []byte, tag byte, p []byte) []byte {
	buf = append(buf, tag)
	buf = binary.AppendUvarint(buf, uint64(len(p)))
	return append(buf, p...)
}

// appendRow appends the encodings of a row's values, in column order.
func appendRow(buf []byte, vals []any) ([]byte, error) {
	var err error
	for _, v := range vals {
		if buf, err = appendValue(buf, v); err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// tableHash is the running SHA-256 and row count of one side of a table.
// It starts with the encoding's version, the table's name and its column
// names, so a hash says what it covers.
type tableHash struct {
	h    hash.Hash
	rows int64
	buf  []byte
}

func newTableHash(table string, columns []string) *tableHash {
	t := &tableHash{h: sha256.New()}
	head := appendPayload(nil, tagText, []byte(hashVersion))
	head = appendPayload(head, tagText, []byte(table))
	head = binary.AppendUvarint(head, uint64(len(columns)))
	for _, c := range columns {
		head = appendPayload(head, tagText, []byte(c))
	}
	t.h.Write(head)
	return t
}

// add hashes one row and returns its encoding, valid until the next add.
func (t *tableHash) add(vals []any) ([]byte, error) {
	var err error
	if t.buf, err = appendRow(t.buf[:0], vals); err != nil {
		return nil, err
	}
	t.h.Write(t.buf)
	t.rows++
	return t.buf, nil
}

// sum is the table as verified: its name, rows and hex SHA-256.
func (t *tableHash) sum(table string) Table {
	return Table{Name: table, Rows: t.rows, SHA256: hex.EncodeToString(t.h.Sum(nil))}
}
