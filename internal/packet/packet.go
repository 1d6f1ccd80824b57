// Package packet renders a case packet (案件材料) for administrative
// enforcement: a Chinese HTML document printed to PDF by headless Chromium,
// and a ZIP of the raw artefacts with a manifest, the signed tree heads and
// their RFC 3161 timestamp tokens, verifiable offline with sha256sum and
// openssl.
package packet

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// Data is everything a packet shows. The caller reads it from the store;
// the packet trusts it as given, except that artefacts are re-hashed as
// they are written into the ZIP.
type Data struct {
	Case domain.Case
	Mark domain.Mark
	// Items are the case's listings, in the order the packet shows them.
	Items []Item
	// TreeHeads are the signed heads of the evidence log; the packet
	// names, for each capture, the heads that cover it.
	TreeHeads []domain.TreeHead
	// TSACertPEM is the PEM of the TSA's CA certificate(s) the timestamp
	// tokens chain to, written as tsa-ca.pem for openssl -CAfile; nil when
	// no TSA is configured.
	TSACertPEM  []byte
	GeneratedAt time.Time
	GeneratedBy string // the supervisor who asked for the packet
	// BaseURL is where the console is served ("https://markwatch.example"),
	// for links back to the online evidence; "" leaves them out.
	BaseURL string
	// PDF is the rendered packet, added to the ZIP when set.
	PDF []byte
}

// Item is one listing of the case: its alert, versions, captures and the
// latest screenshot.
type Item struct {
	Alert    domain.Alert
	Versions []domain.ListingVersion
	Captures []domain.Capture
	// Screenshot is a PNG of the listing page (the latest capture's
	// screenshot artefact), or nil.
	Screenshot []byte
}

// sortedVersions returns the versions by version number.
func sortedVersions(vs []domain.ListingVersion) []domain.ListingVersion {
	out := slices.Clone(vs)
	slices.SortStableFunc(out, func(a, b domain.ListingVersion) int { return cmp.Compare(a.Version, b.Version) })
	return out
}

// sortedCaptures returns the captures in log order.
func sortedCaptures(cs []domain.Capture) []domain.Capture {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b domain.Capture) int {
		return cmp.Or(cmp.Compare(a.LogIndex, b.LogIndex), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// coveringHeads returns the heads whose tree includes the capture's leaf,
// smallest tree first: a head of size n covers log indices 0..n-1.
func coveringHeads(heads []domain.TreeHead, c domain.Capture) []domain.TreeHead {
	var out []domain.TreeHead
	for _, h := range heads {
		if h.Size > c.LogIndex {
			out = append(out, h)
		}
	}
	slices.SortStableFunc(out, func(a, b domain.TreeHead) int {
		return cmp.Or(cmp.Compare(a.Size, b.Size), a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// FileName is the packet's file name for a case, "MW-2026-0001.zip" with
// ext "zip", "MW-2026-0001" with ext "": only [A-Za-z0-9_-] of the case
// number are kept, so it is safe in a shell command and a
// Content-Disposition header.
func FileName(c domain.Case, ext string) string {
	b := []byte(c.Number)
	out := b[:0]
	for _, ch := range b {
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' {
			out = append(out, ch)
		}
	}
	name := string(out)
	if name == "" {
		name = "case-" + strconv.FormatInt(c.ID, 10)
	}
	if ext != "" {
		name += "." + ext
	}
	return name
}
