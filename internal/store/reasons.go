package store

import (
	"encoding/json"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// Reasons are stored as a JSON array; an empty list is "[]", never NULL, so
// the API shows [] rather than null and equality checks compare like with like.

func encodeReasons(rs []domain.Reason) (string, error) {
	b, err := json.Marshal(nonNilReasons(rs))
	if err != nil {
		return "", fmt.Errorf("encoding reasons: %w", err)
	}
	return string(b), nil
}

func decodeReasons(s string) ([]domain.Reason, error) {
	rs := []domain.Reason{}
	if s == "" {
		return rs, nil
	}
	if err := json.Unmarshal([]byte(s), &rs); err != nil {
		return nil, fmt.Errorf("decoding reasons %q: %w", s, err)
	}
	return rs, nil
}

func nonNilReasons(rs []domain.Reason) []domain.Reason {
	if rs == nil {
		return []domain.Reason{}
	}
	return rs
}
