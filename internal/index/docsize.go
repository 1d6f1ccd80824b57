package index

import "encoding/json"

// encodedOver reports whether d's JSON is over limit bytes, with its size
// when it had to be encoded to tell. A bound from the fields' lengths
// settles nearly every document without encoding it: JSON writes at most 6
// bytes for one byte of a string (\u00XX), and the keys, numbers and
// punctuation take less than docFixedBound.
func encodedOver(d *document, limit int) (int, bool) {
	if limit <= 0 {
		return 0, false
	}
	if docBound(d) <= limit {
		return 0, false
	}
	b, err := json.Marshal(d)
	if err != nil {
		return 0, false // the send reports what encoding/json refuses
	}
	return len(b), len(b) > limit
}

const (
	// docFixedBound covers a document's keys, punctuation, numbers (at most
	// 24 bytes each) and bool, with room to spare.
	docFixedBound = 512
	// reasonFixedBound covers one reason's keys, braces and two ints.
	reasonFixedBound = 96
)

// docBound is at least the length of d's JSON encoding.
func docBound(d *document) int {
	n := docFixedBound
	for _, s := range [...]string{d.ID, d.SourceID, d.MarkID, d.Title, d.TitleNorm, d.URL, d.Seller, d.Location, d.ReasonsText} {
		n += 6*len(s) + 2
	}
	for _, p := range d.LocationPrefixes {
		n += 6*len(p) + 3
	}
	for _, r := range d.Reasons {
		n += reasonFixedBound + 6*len(r.Tactic) + 6*len(r.Text)
	}
	return n
}
