package index_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/index"
)

func TestIsRefused(t *testing.T) {
	task := func(code string) error {
		return &index.TaskError{What: "indexing 1 hits into hits", TaskUID: 7, Code: code, Message: "文档被拒绝"}
	}
	status := func(code int, api string) error {
		return &ms.Error{StatusCode: code, APIError: ms.APIErrorDetails{Code: ms.APIErrCode(api)}}
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"invalid document id", task("invalid_document_id"), true},
		{"invalid document fields", task("invalid_document_fields"), true},
		{"invalid geo field", task("invalid_document_geo_field"), true},
		{"missing document id", task("missing_document_id"), true},
		{"too many fields", task("document_fields_limit_reached"), true},
		{"wrapped task error", fmt.Errorf("indexing hit 临城核桃: %w", task("invalid_document_id")), true},
		{"payload too large", status(413, "payload_too_large"), true},
		{"disk full is the server's, not the document's", task("no_space_left_on_device"), false},
		{"internal error", task("internal"), false},
		{"unavailable", status(503, ""), false},
		{"wrong key", status(403, "invalid_api_key"), false},
		{"timeout", context.DeadlineExceeded, false},
		{"plain error", errors.New("索引出错"), false},
	} {
		if got := index.IsRefused(tc.err); got != tc.want {
			t.Errorf("%s: IsRefused(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}
