package store

import (
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

var benchEvidence = &ListingEvidence{
	Fetch: domain.Fetch{RequestURL: "https://demo.local/search?q=核桃", Status: 200,
		Headers: map[string][]string{"Content-Type": {"text/html"}}},
	Artefacts: []domain.ArtefactRef{{Role: domain.RoleSearchPage, SHA256: shaOf([]byte("page")), Size: 4, MediaType: "text/html"}},
}

func openBench(b *testing.B, evidence bool) *DB {
	if !evidence {
		return openTest(b, nil)
	}
	return openEvidence(b, nil, testRecordHash)
}
