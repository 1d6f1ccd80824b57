package store

import (
	"crypto/sha256"
	"encoding/binary"
	"math"

	"github.com/markwatch/markwatch/internal/domain"
)

// Fingerprints (0009_fingerprints.sql) let the fast path (resight.go) ask
// "is the stored row what this sighting would write?" with one integer
// instead of every field: reading a field out of the batch's JSON was
// most of a re-sighting's cost (issue 12).
//
// They are stored, so the encoding must never change meaning: a new
// encoding takes a new tag, and rows written under the old one then miss
// once (slow path) and get the new fingerprint. Each field is length
// prefixed, so no two field lists encode alike.
//
// SHA-256 (its first 8 bytes) rather than FNV-1a: a fingerprint that
// collides keeps the stored row as it was, and FNV collisions are easy to
// build on purpose, so a seller who knows this code could change a title
// the store would never record. A second preimage of 64 bits of SHA-256
// is 2^64 work, and with the CPU's SHA instructions it is no slower than
// FNV's byte-at-a-time loop: encoding and hashing a listing 0.36-0.38 µs,
// FNV alone 0.39-0.45 (BenchmarkFingerprint).
const (
	listingFPTag = "markwatch listing fp 1\x00"
	hitFPTag     = "markwatch hit fp 1\x00"
)

// fpBuf builds a fingerprint's input; one is reused across a batch.
type fpBuf struct{ b []byte }

func (f *fpBuf) str(s string) {
	f.b = binary.AppendUvarint(f.b, uint64(len(s)))
	f.b = append(f.b, s...)
}

func (f *fpBuf) u64(v uint64) { f.b = binary.BigEndian.AppendUint64(f.b, v) }

// float writes f's bits, with -0 as 0: SQL compares them equal, and
// SQLite stores an integral REAL as an integer, so both read back as 0.
func (f *fpBuf) float(v float64) {
	if v == 0 {
		v = 0
	}
	f.u64(math.Float64bits(v))
}

func (f *fpBuf) sum() int64 {
	s := sha256.Sum256(f.b)
	return int64(binary.BigEndian.Uint64(s[:8]))
}

// listingFP is the fingerprint of what qTouchListing compares and sets on
// a listing row: url, title, price, seller, location, image_url,
// seller_id (sid, 0 for none) and platform and query. A row whose fp
// equals it holds exactly these values, so touching it moves last_seen
// only.
func (f *fpBuf) listingFP(l domain.Listing, sid int64) int64 {
	f.b = append(f.b[:0], listingFPTag...)
	f.str(l.URL)
	f.str(l.Title)
	f.float(l.Price)
	f.str(l.Seller)
	f.str(l.Location)
	f.str(l.ImageURL)
	f.u64(uint64(sid)) // ids are positive: 0 is unambiguous for NULL
	f.str(l.Platform)
	f.str(l.Query)
	return f.sum()
}

// hitFP is the fingerprint of a hit's mark and verdict: score, alert and
// each reason's fields. The reasons are hashed as they are, not as
// encodeReasons stores them, so the fast path need not encode them: equal
// reasons encode alike, and a row fingerprinted from its stored reasons
// (decodeReasons, merge.go) was stored by encoding reasons that decode to
// the same fields, so one fingerprint still means one stored text. The
// mark is in it so the fast path can tell a listing's hits apart by
// fingerprint alone.
func (f *fpBuf) hitFP(mark string, score float64, alert bool, reasons []domain.Reason) int64 {
	f.b = append(f.b[:0], hitFPTag...)
	f.str(mark)
	f.float(score)
	if alert {
		f.b = append(f.b, 1)
	} else {
		f.b = append(f.b, 0)
	}
	f.u64(uint64(len(reasons)))
	for _, r := range reasons {
		f.str(r.Tactic)
		f.str(r.Text)
		f.u64(uint64(r.Start))
		f.u64(uint64(r.End))
	}
	return f.sum()
}

// listingFP and hitFP for a single save.
func listingFP(l domain.Listing, sid int64) int64 {
	var f fpBuf
	return f.listingFP(l, sid)
}

func hitFP(mark string, score float64, alert bool, reasons []domain.Reason) int64 {
	var f fpBuf
	return f.hitFP(mark, score, alert, reasons)
}
