package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/markwatch/markwatch/internal/domain"
)

// decodeBody reads a small JSON request body strictly into v: one value, no
// unknown fields, at most limit bytes. Every refusal says what to send,
// using example.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, limit int64, example string) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return domain.Errorf(domain.EINVALID, "request body is over %d bytes; send only %s", limit, example)
		case errors.Is(err, io.EOF):
			return domain.Errorf(domain.EINVALID, "request body is empty; send %s", example)
		}
		return domain.Errorf(domain.EINVALID, "request body must be JSON like %s: %v", example, err)
	}
	if dec.More() {
		return domain.Errorf(domain.EINVALID, "request body holds more than one JSON value; send only %s", example)
	}
	return nil
}
