package app

import (
	"context"
	"fmt"
	"io"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/cases"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/evidence"
	"github.com/markwatch/markwatch/internal/httpapi"
	"github.com/markwatch/markwatch/internal/packet"
)

// maxScreenshot bounds the screenshot embedded per listing in a packet.
const maxScreenshot = 16 << 20

// writePacket renders a case's packet (案件材料): the PDF, or the ZIP of
// raw artefacts with manifest, tree heads and tokens (with the PDF in it).
// The API has already checked the case is in the principal's scope.
func (d *daemon) writePacket(ctx context.Context, caseID int64, w io.Writer, format string) error {
	data, err := d.packetData(ctx, caseID)
	if err != nil {
		return err
	}
	html, err := packet.RenderHTML(data)
	if err != nil {
		return fmt.Errorf("rendering packet of case %d: %w", caseID, err)
	}
	pdf, err := packet.RenderPDF(ctx, html, "")
	if err != nil {
		return fmt.Errorf("printing packet of case %d: %w", caseID, err)
	}
	switch format {
	case "pdf":
		_, err := w.Write(pdf)
		return err
	case "zip":
		data.PDF = pdf
		headText := func(h domain.TreeHead) []byte { return evidence.HeadText(h.Size, h.RootHash, h.CreatedAt) }
		open := func(sha string) (io.ReadCloser, error) { return d.evidence.blobs.Open(ctx, sha) }
		return packet.WriteZip(w, data, open, headText)
	}
	return domain.Errorf(domain.EINVALID, "packet format %q: use pdf or zip", format)
}

func (d *daemon) packetData(ctx context.Context, caseID int64) (packet.Data, error) {
	c, err := d.db.GetCase(ctx, caseID)
	if err != nil {
		return packet.Data{}, err
	}
	data := packet.Data{Case: c, GeneratedAt: d.now(), BaseURL: d.baseURL(), TSACertPEM: d.evidence.tsaCAPEM}
	for _, m := range d.marks {
		if m.ID == c.MarkID {
			data.Mark = m
		}
	}
	if p, ok := access.FromContext(ctx); ok {
		data.GeneratedBy = p.User.Name
	}
	for _, id := range c.AlertIDs {
		a, err := d.db.GetAlert(ctx, id)
		if err != nil {
			return packet.Data{}, fmt.Errorf("reading alert %d of case %s: %w", id, c.Number, err)
		}
		it := packet.Item{Alert: a}
		if it.Versions, err = d.db.ListVersions(ctx, id); err != nil {
			return packet.Data{}, err
		}
		if it.Captures, err = d.db.CapturesOf(ctx, id); err != nil {
			return packet.Data{}, err
		}
		it.Screenshot = d.latestScreenshot(ctx, it.Captures)
		data.Items = append(data.Items, it)
	}
	if data.TreeHeads, err = d.db.TreeHeads(ctx); err != nil {
		return packet.Data{}, err
	}
	return data, nil
}

// latestScreenshot is the newest capture's screenshot, or nil: a packet
// without a picture is still a packet.
func (d *daemon) latestScreenshot(ctx context.Context, cs []domain.Capture) []byte {
	for i := len(cs) - 1; i >= 0; i-- {
		for _, ref := range cs[i].Artefacts {
			if ref.Role != domain.RoleScreenshot || ref.Size > maxScreenshot {
				continue
			}
			r, err := d.evidence.blobs.Open(ctx, ref.SHA256)
			if err != nil {
				continue
			}
			b, err := io.ReadAll(io.LimitReader(r, maxScreenshot))
			r.Close()
			if err == nil {
				return b
			}
		}
	}
	return nil
}

// noticeFunc adapts cases.Notice to the API's declared function type.
func noticeFunc(platform string, c domain.Case, m domain.Mark, alerts []domain.Alert, links map[int64][]string) (httpapi.NoticeDoc, error) {
	return cases.Notice(platform, c, m, alerts, links)
}
