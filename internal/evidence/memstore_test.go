package evidence

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// memStore is the store as the contract describes it, in memory: captures
// get the next log index and their record hash on append, leaves are the
// record hash column (hex) by log index. Tests alter its rows directly, as
// an attacker with the database file would.
type memStore struct {
	mu       sync.Mutex
	captures []domain.Capture
	heads    []domain.TreeHead
	jobs     []domain.CaptureJob
	versions []domain.ListingVersion
	alerts   map[int64]domain.Alert
	// blobs, when set, is checked on append: a row must never point at a
	// file that is not there yet.
	blobs     Blobs
	misses    []string // artefacts a row pointed at before they were stored
	failTo    error    // when set, every call fails with it
	hexLeaves bool
}

func newMemStore() *memStore { return &memStore{alerts: map[int64]domain.Alert{}} }

func (m *memStore) AppendCapture(ctx context.Context, c domain.Capture) (domain.Capture, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.appendLocked(ctx, c)
}

func (m *memStore) appendLocked(ctx context.Context, c domain.Capture) (domain.Capture, error) {
	if m.failTo != nil {
		return domain.Capture{}, m.failTo
	}
	if m.blobs != nil {
		for _, a := range c.Artefacts {
			if ok, _ := m.blobs.Exists(ctx, a.SHA256); !ok {
				m.misses = append(m.misses, a.SHA256)
			}
		}
	}
	c.ID = int64(len(m.captures)) + 1
	c.LogIndex = int64(len(m.captures))
	c.Artefacts = slices.Clone(c.Artefacts)
	c.RecordHash = RecordHash(c)
	m.captures = append(m.captures, c)
	return c, nil
}

func (m *memStore) EachCapture(ctx context.Context, fn func(domain.Capture) error) error {
	m.mu.Lock()
	cs := slices.Clone(m.captures)
	m.mu.Unlock()
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	for _, c := range cs {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) CapturesOf(ctx context.Context, alertID int64) ([]domain.Capture, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.Capture
	for _, c := range m.captures {
		if c.AlertID == alertID {
			out = append(out, c)
		}
	}
	return out, nil
}

func (m *memStore) LogSize(ctx context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failTo != nil {
		return 0, m.failTo
	}
	return int64(len(m.captures)), nil
}

// LogLeaves reads the record hash column ordered by log index and
// decoded, as the SQLite store does, refusing a gap as it does. hexLeaves
// hands them out as hex instead, as another store might.
func (m *memStore) LogLeaves(ctx context.Context, size int64) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cs := slices.Clone(m.captures)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].LogIndex < cs[j].LogIndex })
	var out [][]byte
	for _, c := range cs {
		if c.LogIndex >= size {
			break
		}
		if c.LogIndex != int64(len(out)) {
			return nil, domain.Errorf(domain.EINTERNAL, "evidence log has a gap: leaf %d follows leaf %d", c.LogIndex, len(out)-1)
		}
		if m.hexLeaves {
			out = append(out, []byte(c.RecordHash))
			continue
		}
		b, err := hex.DecodeString(c.RecordHash)
		if err != nil {
			return nil, fmt.Errorf("reading evidence log leaf %d: %w", c.LogIndex, err)
		}
		out = append(out, b)
	}
	return out, nil
}

func (m *memStore) TreeHeads(ctx context.Context) ([]domain.TreeHead, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.heads), nil
}

func (m *memStore) AddTreeHead(ctx context.Context, h domain.TreeHead) (domain.TreeHead, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h.ID = int64(len(m.heads)) + 1
	m.heads = append(m.heads, h)
	return h, nil
}

func (m *memStore) PendingStamps(ctx context.Context, limit int) ([]domain.TreeHead, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.TreeHead
	for _, h := range m.heads {
		if len(h.TSAToken) == 0 && len(out) < limit {
			out = append(out, h)
		}
	}
	return out, nil
}

func (m *memStore) SetStamp(ctx context.Context, id int64, token []byte, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.heads {
		if m.heads[i].ID == id {
			m.heads[i].TSAToken = token
			m.heads[i].StampedAt = &at
			return nil
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "tree head %d not found", id)
}

func (m *memStore) DueCaptureJobs(ctx context.Context, now time.Time, limit int) ([]domain.CaptureJob, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.CaptureJob
	for _, j := range m.jobs {
		if !j.NextAt.After(now) && len(out) < limit {
			out = append(out, j)
		}
	}
	return out, nil
}

func (m *memStore) FinishCaptureJob(ctx context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, j := range m.jobs {
		if j.ID == id {
			m.jobs = slices.Delete(m.jobs, i, i+1)
			return nil
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "capture job %d not found", id)
}

func (m *memStore) RetryCaptureJob(ctx context.Context, id int64, next time.Time, errMsg string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.jobs {
		if m.jobs[i].ID == id {
			m.jobs[i].Attempts++
			m.jobs[i].NextAt = next
			m.jobs[i].LastError = errMsg
			return nil
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "capture job %d not found", id)
}

func (m *memStore) AddVersion(ctx context.Context, v domain.ListingVersion, c *domain.Capture) (domain.ListingVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v.Version = 1
	for _, o := range m.versions {
		if o.AlertID == v.AlertID {
			v.Version = o.Version + 1
		}
	}
	if c != nil {
		c.Version = v.Version
		stored, err := m.appendLocked(ctx, *c)
		if err != nil {
			return domain.ListingVersion{}, err
		}
		v.CaptureID = stored.ID
	}
	v.ID = int64(len(m.versions)) + 1
	m.versions = append(m.versions, v)
	return v, nil
}

func (m *memStore) ListVersions(ctx context.Context, alertID int64) ([]domain.ListingVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.ListingVersion
	for _, v := range m.versions {
		if v.AlertID == alertID {
			out = append(out, v)
		}
	}
	return out, nil
}

func (m *memStore) GetAlert(ctx context.Context, id int64) (domain.Alert, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.alerts[id]
	if !ok {
		return domain.Alert{}, domain.Errorf(domain.ENOTFOUND, "alert %d not found", id)
	}
	return a, nil
}

// capture returns the stored row of capture id.
func (m *memStore) capture(id int64) *domain.Capture {
	for i := range m.captures {
		if m.captures[i].ID == id {
			return &m.captures[i]
		}
	}
	panic(fmt.Sprintf("no capture %d", id))
}

var (
	_ NotaryStore = (*memStore)(nil)
	_ VerifyStore = (*memStore)(nil)
	_ WorkerStore = (*memStore)(nil)
)
