package app

import (
	"net/http"
	"time"

	"github.com/markwatch/markwatch/internal/config"
)

// setHTTPTimeouts puts http.*_timeout from the config on srv, over the
// builder's defaults; a zero (a Config built in code) keeps the default
// rather than turning the timeout off.
func setHTTPTimeouts(srv *http.Server, c config.HTTP) {
	for dst, v := range map[*time.Duration]time.Duration{
		&srv.ReadHeaderTimeout: c.ReadHeaderTimeout,
		&srv.ReadTimeout:       c.ReadTimeout,
		&srv.WriteTimeout:      c.WriteTimeout,
		&srv.IdleTimeout:       c.IdleTimeout,
	} {
		if v > 0 {
			*dst = v
		}
	}
}
