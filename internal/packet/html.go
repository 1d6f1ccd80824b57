package packet

import (
	"bytes"
	"crypto"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/markwatch/markwatch/internal/cases"
	"github.com/markwatch/markwatch/internal/domain"
)

//go:embed packet.html
var packetHTML string

var tmpl = template.Must(template.New("packet").Funcs(template.FuncMap{"bj": bj}).Parse(packetHTML))

// beijing is the time zone supervisors read times in.
var beijing = time.FixedZone("UTC+8", 8*3600)

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// RenderHTML renders the packet as one self-contained Chinese HTML document
// (A4 print CSS, screenshots as data URIs, no external resource: a
// Content-Security-Policy forbids any). Everything from listings is
// escaped by html/template. A screenshot that is not a PNG is an EINVALID
// error.
func RenderHTML(d Data) ([]byte, error) {
	v, err := newView(d)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("rendering packet: %w", err)
	}
	return buf.Bytes(), nil
}

type view struct {
	Case        domain.Case
	Status      string
	Mark        markView
	GeneratedAt string
	GeneratedBy string
	BaseURL     string
	CaseURL     string
	Items       []itemView
	Heads       []headView
	Stamped     []headView
	HasTSACert  bool
	Artefacts   int
	ZipName     string
	DirName     string
}

type markView struct {
	domain.Mark
	KindLabel, ClassList, GoodsList, ProductList, Places, SellerLocations string
	IsGI                                                                  bool
}

type itemView struct {
	N           int
	Alert       domain.Alert
	Link        string // the listing URL when it is http(s)
	Segments    []segment
	Reasons     []reasonView
	Screenshot  template.URL
	ShotBytes   int
	Price       string
	FirstSeen   string
	LastSeen    string
	Versions    []versionView
	Captures    []captureView
	EvidenceURL string
}

type reasonView struct{ Text, Span string }

type versionView struct {
	Version                      int
	SeenAt, Title, Price, Seller string
	State, Changes               string
	CaptureID                    int64
}

type captureView struct {
	domain.Capture
	CapturedAtUTC, FetchedAt string
	Artefacts                []artefactView
	Heads                    string
	Stamped                  bool
}

type artefactView struct {
	domain.ArtefactRef
	Name, RoleLabel string
}

type headView struct {
	domain.TreeHead
	CreatedAtUTC, StampedAtUTC string
	TextFile, TokenFile        string
	Covers                     string
	Token                      tokenInfo
}

type tokenInfo struct {
	GenTime, Serial, Policy, Hash, Imprint, TSA, Accuracy string
	Err                                                   string
}

func newView(d Data) (view, error) {
	v := view{
		Case:        d.Case,
		Status:      cases.StatusLabel(d.Case.Status),
		Mark:        newMarkView(d.Mark),
		GeneratedAt: bj(d.GeneratedAt),
		GeneratedBy: d.GeneratedBy,
		HasTSACert:  len(d.TSACertPEM) > 0,
		ZipName:     FileName(d.Case, "zip"),
		DirName:     FileName(d.Case, ""),
	}
	if httpURL(d.BaseURL) {
		v.BaseURL = strings.TrimRight(d.BaseURL, "/")
		if d.Case.ID > 0 {
			v.CaseURL = v.BaseURL + "/cases/" + strconv.FormatInt(d.Case.ID, 10)
		}
	}
	covers := map[int64][]string{}
	for i, it := range d.Items {
		iv, err := newItemView(i+1, it, d.TreeHeads, v.BaseURL)
		if err != nil {
			return view{}, err
		}
		for _, c := range iv.Captures {
			v.Artefacts += len(c.Artefacts)
			for _, h := range coveringHeads(d.TreeHeads, c.Capture) {
				covers[h.ID] = append(covers[h.ID], "#"+strconv.FormatInt(c.ID, 10))
			}
		}
		v.Items = append(v.Items, iv)
	}
	for _, h := range d.TreeHeads {
		hv := headView{TreeHead: h, CreatedAtUTC: utc(h.CreatedAt), TextFile: headTextName(h), Covers: strings.Join(covers[h.ID], " ")}
		if len(h.TSAToken) > 0 {
			hv.TokenFile = headTokenName(h)
			hv.Token = parseToken(h.TSAToken)
			if h.StampedAt != nil {
				hv.StampedAtUTC = utc(*h.StampedAt)
			}
			v.Stamped = append(v.Stamped, hv)
		}
		v.Heads = append(v.Heads, hv)
	}
	return v, nil
}

func newMarkView(m domain.Mark) markView {
	mv := markView{Mark: m, IsGI: m.Kind == domain.KindGI,
		GoodsList: strings.Join(m.Goods, "、"), ProductList: strings.Join(m.Product, "、"),
		Places: strings.Join(m.Origin.Places, "、"), SellerLocations: strings.Join(m.Origin.SellerLocations, "、")}
	switch m.Kind {
	case domain.KindTrademark:
		mv.KindLabel = "注册商标"
	case domain.KindTimeHonoured:
		mv.KindLabel = "中华老字号"
	case domain.KindGI:
		mv.KindLabel = "地理标志"
	default:
		mv.KindLabel = string(m.Kind)
	}
	classes := make([]string, len(m.Classes))
	for i, c := range m.Classes {
		classes[i] = "第 " + strconv.Itoa(c) + " 类"
	}
	mv.ClassList = strings.Join(classes, "、")
	return mv
}

func newItemView(n int, it Item, heads []domain.TreeHead, baseURL string) (itemView, error) {
	a := it.Alert
	iv := itemView{N: n, Alert: a, Segments: highlight(a.Title, a.Reasons), FirstSeen: bj(a.FirstSeen), LastSeen: bj(a.LastSeen), Price: "—"}
	if httpURL(a.URL) {
		iv.Link = a.URL
	}
	if baseURL != "" && a.ID > 0 {
		iv.EvidenceURL = baseURL + "/alerts/" + strconv.FormatInt(a.ID, 10) + "/evidence"
	}
	for _, r := range a.Reasons {
		iv.Reasons = append(iv.Reasons, reasonView{Text: r.Text, Span: spanText(a.Title, r)})
	}
	if len(it.Screenshot) > 0 {
		if !bytes.HasPrefix(it.Screenshot, pngMagic) {
			return itemView{}, domain.Errorf(domain.EINVALID, "alert %d: screenshot is not a PNG", a.ID)
		}
		// Only base64 follows the fixed prefix: safe as a URL.
		iv.Screenshot = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(it.Screenshot))
		iv.ShotBytes = len(it.Screenshot)
	}
	vs := sortedVersions(it.Versions)
	for _, ver := range vs {
		vv := versionView{Version: ver.Version, SeenAt: bj(ver.SeenAt), Title: ver.Title, Price: price(ver.Price), Seller: ver.Seller,
			Changes: changeLabels(ver.Changes), CaptureID: ver.CaptureID}
		switch {
		case ver.Removed:
			vv.State = "已下架"
		case ver.Available:
			vv.State = "在售"
		default:
			vv.State = "不可售"
		}
		iv.Versions = append(iv.Versions, vv)
	}
	if len(vs) > 0 {
		iv.Price = price(vs[len(vs)-1].Price)
	}
	for _, c := range sortedCaptures(it.Captures) {
		cv := captureView{Capture: c, CapturedAtUTC: utc(c.CapturedAt), FetchedAt: utc(c.Fetch.FetchedAt)}
		for _, ref := range c.Artefacts {
			cv.Artefacts = append(cv.Artefacts, artefactView{ArtefactRef: ref, Name: artefactName(c.ID, ref), RoleLabel: roleLabel(ref.Role)})
		}
		var hs []string
		for _, h := range coveringHeads(heads, c) {
			s := fmt.Sprintf("#%d（%d 条）", h.ID, h.Size)
			if len(h.TSAToken) > 0 {
				s += " 已加盖时间戳"
				cv.Stamped = true
			}
			hs = append(hs, s)
		}
		cv.Heads = strings.Join(hs, "；")
		iv.Captures = append(iv.Captures, cv)
	}
	return iv, nil
}

// parseToken reads what a person wants to see of an RFC 3161 token; a
// token that does not parse (or whose signature does not verify against
// its own certificate) says so.
func parseToken(der []byte) tokenInfo {
	ts, err := timestamp.Parse(tokenOf(der))
	if err != nil {
		return tokenInfo{Err: err.Error()}
	}
	ti := tokenInfo{GenTime: utc(ts.Time), Imprint: hex.EncodeToString(ts.HashedMessage), Hash: hashName(ts.HashAlgorithm)}
	if ts.SerialNumber != nil {
		ti.Serial = ts.SerialNumber.String()
	}
	if ts.Policy != nil {
		ti.Policy = ts.Policy.String()
	}
	if ts.Accuracy > 0 {
		ti.Accuracy = ts.Accuracy.String()
	}
	if len(ts.Certificates) > 0 {
		ti.TSA = ts.Certificates[0].Subject.String()
	}
	return ti
}

func hashName(h crypto.Hash) string {
	if h == 0 {
		return "unknown"
	}
	return h.String()
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// bj formats a time in Beijing time to the second.
func bj(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(beijing).Format("2006-01-02 15:04:05") + "（北京时间）"
}

// utc formats a time as the records hold it.
func utc(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func price(p float64) string {
	if p <= 0 {
		return "—"
	}
	return "¥" + strconv.FormatFloat(p, 'f', 2, 64)
}

var roleLabels = map[string]string{
	domain.RoleSearchPage: "搜索结果页（原始字节）",
	domain.RoleDetailPage: "商品详情页（原始字节）",
	domain.RoleImage:      "商品主图",
	domain.RoleScreenshot: "整页截图",
	domain.RoleSnapshot:   "网页快照（MHTML）",
}

func roleLabel(role string) string {
	if l, ok := roleLabels[role]; ok {
		return l
	}
	return role
}

var changeNames = map[string]string{
	"title": "标题", "price": "价格", "seller": "卖家", "image": "图片", "image_url": "图片",
	"available": "在售状态", "removed": "下架",
}

func changeLabels(cs []string) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		if l, ok := changeNames[c]; ok {
			out[i] = l
		} else {
			out[i] = c
		}
	}
	return strings.Join(out, "、")
}
