package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// evidenceTrail is what the evidence page shows of the captures and the
// listing's versions.
type evidenceTrail struct {
	EvidenceOn bool
	// EvidenceFailed: the captures could not be read; the page says so
	// rather than looking as if there were none.
	EvidenceFailed bool
	Captures       []captureRow
	Versions       []versionRow
	// Thumbnail is the latest screenshot's URL, "" without one.
	Thumbnail string
	// ReasonVersion is the version whose title the reasons read (第1版);
	// TitleNote says when a later version's title differs from it.
	ReasonVersion string
	TitleNote     string
}

type captureRow struct {
	ID         int64
	Captured   string
	Fetched    string
	SourceID   string
	Version    int
	ListingURL string
	RequestURL string
	FinalURL   string
	Status     int
	RemoteAddr string
	UserAgent  string
	Rendered   bool
	RecordHash string
	LogIndex   int64
	Artefacts  []artefactRow
}

type artefactRow struct {
	Role, RoleLabel, SHA256, Size, MediaType string
	Href                                     string // "" when downloads are not served
}

// versionRow is one state of the listing; Changed marks the fields that
// differ from the previous version.
type versionRow struct {
	Version   int
	Seen      string
	Title     string
	Price     string
	Seller    string
	ImageURL  string
	Available bool
	Removed   bool
	Changed   map[string]bool
	Changes   string // 标题、价格
	CaptureID int64
	Reasons   bool // the reasons read this version's title
}

// Fields a version can change, with their names.
var versionFields = []struct{ key, label string }{
	{"title", "标题"}, {"price", "售价"}, {"seller", "卖家"}, {"image", "图片"}, {"available", "在售状态"},
}

// fieldKey maps the store's change names onto versionFields' keys.
func fieldKey(change string) string {
	switch change {
	case "image_url", "image":
		return "image"
	case "removed", "availability", "available":
		return "available"
	}
	return change
}

func artefactRoleLabel(role string) string {
	switch role {
	case domain.RoleSearchPage:
		return "搜索结果页"
	case domain.RoleDetailPage:
		return "商品详情页"
	case domain.RoleImage:
		return "商品图片"
	case domain.RoleScreenshot:
		return "整页截图"
	case domain.RoleSnapshot:
		return "网页快照"
	}
	return role
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

func (c *console) artefactHref(sha string) string {
	if !c.deps.APIDownloads {
		return ""
	}
	return "/api/v1/artefacts/" + sha
}

// trail reads the alert's captures and versions. The page is worth more
// than its trail, so a failure is logged and said on the page.
func (c *console) trail(r *http.Request, a domain.Alert) evidenceTrail {
	var t evidenceTrail
	if c.deps.Evidence == nil {
		return t
	}
	t.EvidenceOn = true
	caps, err := c.deps.Evidence.CapturesOf(r.Context(), a.ID)
	if err != nil {
		c.log.Warn("evidence page without its captures", requestFields(r, fmt.Errorf("reading the captures of alert %d: %w", a.ID, err))...)
		t.EvidenceFailed = true
		return t
	}
	vers, err := c.deps.Evidence.ListVersions(r.Context(), a.ID)
	if err != nil {
		c.log.Warn("evidence page without its versions", requestFields(r, fmt.Errorf("reading the versions of alert %d: %w", a.ID, err))...)
		t.EvidenceFailed = true
		return t
	}
	for _, cp := range caps {
		if cp.AlertID != a.ID {
			continue
		}
		row := captureRow{ID: cp.ID, Captured: c.when(cp.CapturedAt), Fetched: c.when(cp.Fetch.FetchedAt), SourceID: cp.SourceID,
			Version: cp.Version, ListingURL: cp.ListingURL, RequestURL: cp.Fetch.RequestURL, FinalURL: cp.Fetch.FinalURL,
			Status: cp.Fetch.Status, RemoteAddr: cp.Fetch.RemoteAddr, UserAgent: cp.Fetch.UserAgent, Rendered: cp.Fetch.Rendered,
			RecordHash: cp.RecordHash, LogIndex: cp.LogIndex}
		for _, ref := range cp.Artefacts {
			sha := strings.ToLower(ref.SHA256)
			if !isSHA256(sha) {
				continue // not an address this console links to
			}
			row.Artefacts = append(row.Artefacts, artefactRow{Role: ref.Role, RoleLabel: artefactRoleLabel(ref.Role), SHA256: sha,
				Size: byteSize(ref.Size), MediaType: ref.MediaType, Href: c.artefactHref(sha)})
			if ref.Role == domain.RoleScreenshot && c.deps.APIDownloads {
				t.Thumbnail = c.artefactHref(sha) // the latest capture's wins
			}
		}
		t.Captures = append(t.Captures, row)
	}
	vers = slices.DeleteFunc(slices.Clone(vers), func(v domain.ListingVersion) bool { return v.AlertID != a.ID })
	slices.SortStableFunc(vers, func(x, y domain.ListingVersion) int { return x.Version - y.Version })
	t.Versions = c.versionRows(vers)
	// The reasons were read from the alert's title: the first version
	// with that title (the first version, unless the store keeps another).
	ref := slices.IndexFunc(vers, func(v domain.ListingVersion) bool { return v.Title == a.Title })
	if ref < 0 && len(vers) > 0 {
		ref = 0
	}
	if ref >= 0 {
		t.Versions[ref].Reasons = true
		t.ReasonVersion = fmt.Sprintf("第%d版", vers[ref].Version)
		for _, v := range vers[ref+1:] {
			if v.Title != vers[ref].Title {
				t.TitleNote = fmt.Sprintf("第%d版起标题已变更为「%s」；判定依据针对第%d版标题「%s」。The reasons read version %d's title; version %d's title differs.",
					v.Version, v.Title, vers[ref].Version, vers[ref].Title, vers[ref].Version, v.Version)
				break
			}
		}
	}
	return t
}

// versionRows marks each version's changes: those the store recorded and
// those a comparison with the previous version shows.
func (c *console) versionRows(vers []domain.ListingVersion) []versionRow {
	out := make([]versionRow, 0, len(vers))
	for i, v := range vers {
		row := versionRow{Version: v.Version, Seen: c.when(v.SeenAt), Title: v.Title, Seller: v.Seller, ImageURL: v.ImageURL,
			Available: v.Available, Removed: v.Removed, Changed: map[string]bool{}, CaptureID: v.CaptureID}
		if v.Price > 0 {
			row.Price = "¥" + strconv.FormatFloat(v.Price, 'f', 2, 64)
		}
		if i > 0 {
			for _, ch := range v.Changes {
				row.Changed[fieldKey(ch)] = true
			}
			p := vers[i-1]
			for k, diff := range map[string]bool{
				"title": p.Title != v.Title, "price": p.Price != v.Price, "seller": p.Seller != v.Seller,
				"image": p.ImageURL != v.ImageURL, "available": p.Available != v.Available || p.Removed != v.Removed,
			} {
				if diff {
					row.Changed[k] = true
				}
			}
			var labels []string
			for _, f := range versionFields {
				if row.Changed[f.key] {
					labels = append(labels, f.label)
				}
			}
			row.Changes = strings.Join(labels, "、")
		}
		out = append(out, row)
	}
	return out
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}
