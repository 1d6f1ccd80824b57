package notify

import (
	"context"

	"github.com/markwatch/markwatch/internal/domain"
)

// Notifier delivers alerts to one receiver. retry reports whether a failure
// is worth trying again (a timeout or 503 is, a 400 is not). The method set
// is the same as alert.Notifier's, so every stage here, and the chain Build
// returns, can be handed to the alert dispatcher as it is.
type Notifier interface {
	Name() string
	Notify(ctx context.Context, alerts []domain.Alert) (retry bool, err error)
}
