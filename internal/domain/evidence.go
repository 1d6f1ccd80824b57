package domain

import "time"

// Artefact roles: what an artefact of a capture is.
const (
	RoleSearchPage = "search_page" // raw bytes of the results page the listing was read from
	RoleDetailPage = "detail_page" // raw bytes of the listing's own page, when fetched
	RoleImage      = "image"       // the listing image
	RoleScreenshot = "screenshot"  // full-page PNG from headless Chromium
	RoleSnapshot   = "snapshot"    // MHTML (or HTML) snapshot from headless Chromium
)

// Fetch is what the crawler saw when it fetched one page: the raw bytes
// as they came off the wire (decoded from transfer encodings, not from the
// page's charset), the headers and where they came from. Listings read from
// the page share one Fetch; the pipeline keeps it as evidence for the
// listings that raise alerts.
type Fetch struct {
	RequestURL string              `json:"request_url"`
	FinalURL   string              `json:"final_url"` // after redirects
	Status     int                 `json:"status"`
	Headers    map[string][]string `json:"headers"`
	Body       []byte              `json:"-"`
	FetchedAt  time.Time           `json:"fetched_at"`
	UserAgent  string              `json:"user_agent"`
	RemoteAddr string              `json:"remote_addr"`        // the address the host resolved to and was dialled at
	Rendered   bool                `json:"rendered,omitempty"` // read through headless Chromium
}

// ArtefactRef is one stored artefact of a capture, addressed by content.
type ArtefactRef struct {
	Role      string `json:"role"`
	SHA256    string `json:"sha256"` // hex
	Size      int64  `json:"size"`
	MediaType string `json:"media_type"`
}

// Capture is one evidence record: what was seen of a listing at one time,
// the artefacts that hold it and the environment that produced it. Its
// RecordHash (SHA-256 of its canonical JSON, see package evidence) is a
// leaf of the tamper-evident log at LogIndex.
type Capture struct {
	ID         int64  `json:"id"`
	AlertID    int64  `json:"alert_id"`
	Version    int    `json:"version"` // listing version this capture shows
	SourceID   string `json:"source_id"`
	MarkID     string `json:"mark_id"`
	ListingURL string `json:"listing_url"`
	// Fetch holds the page's request, response headers, time and
	// environment (Body is in the artefacts).
	Fetch            Fetch         `json:"fetch"`
	Artefacts        []ArtefactRef `json:"artefacts"`
	MarkwatchVersion string        `json:"markwatch_version"`
	CapturedAt       time.Time     `json:"captured_at"`
	RecordHash       string        `json:"record_hash"`
	LogIndex         int64         `json:"log_index"`
}

// TreeHead is a signed statement of the evidence log's size and root hash
// at a time, optionally stamped by a Time-Stamping Authority.
type TreeHead struct {
	ID        int64     `json:"id"`
	Size      int64     `json:"size"`
	RootHash  string    `json:"root_hash"` // hex
	CreatedAt time.Time `json:"created_at"`
	// Signature is ed25519 over the head's canonical text (package
	// evidence), hex; KeyID names the key (hex SHA-256 of the public key).
	Signature string `json:"signature"`
	KeyID     string `json:"key_id"`
	// TSAToken is the RFC 3161 TimeStampToken (DER) over the head's
	// canonical text; empty until stamped.
	TSAToken  []byte     `json:"tsa_token,omitempty"`
	StampedAt *time.Time `json:"stamped_at,omitempty"`
}

// CaptureJob asks for a part of a capture that needs the network or a
// browser (image, screenshot); written in the same transaction as the alert
// so a crash does not forget it.
type CaptureJob struct {
	ID        int64     `json:"id"`
	AlertID   int64     `json:"alert_id"`
	Kind      string    `json:"kind"` // image, screenshot, recheck
	URL       string    `json:"url"`
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"next_at"`
	LastError string    `json:"last_error,omitempty"`
}

// ListingVersion is one state of a listing under alert. A change of title,
// price, seller, image or availability starts a new version.
type ListingVersion struct {
	ID        int64     `json:"id"`
	AlertID   int64     `json:"alert_id"`
	Version   int       `json:"version"`
	SeenAt    time.Time `json:"seen_at"`
	Title     string    `json:"title"`
	Price     float64   `json:"price"`
	Seller    string    `json:"seller"`
	ImageURL  string    `json:"image_url"`
	Available bool      `json:"available"`
	// Removed is set when the listing answered 404 or said 已下架.
	Removed bool `json:"removed"`
	// Changes names the fields that differ from the previous version.
	Changes   []string `json:"changes,omitempty"`
	CaptureID int64    `json:"capture_id,omitempty"`
}
