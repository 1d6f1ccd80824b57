package domain

// OutboxOp is what the index must do with a hit.
type OutboxOp string

const (
	OutboxUpsert OutboxOp = "upsert"
	OutboxDelete OutboxOp = "delete"
)

// OutboxEntry is one pending change for the search index, written in the same
// transaction as the hit it describes so a search outage loses nothing.
type OutboxEntry struct {
	ID       int64    `json:"id"`
	Op       OutboxOp `json:"op"`
	HitID    int64    `json:"hit_id"`
	Hit      Hit      `json:"hit"` // current state, for upserts
	Attempts int      `json:"attempts"`
}
