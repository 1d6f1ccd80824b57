package cases

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// Platform is a marketplace's IP-protection portal a takedown notice is
// filed on, with the words its complaint form uses for the fields.
type Platform struct {
	ID     string `json:"id"`     // alibaba, jd, pinduoduo (domain.Notice.Platform)
	Name   string `json:"name"`   // the portal's own name
	Portal string `json:"portal"` // where a person files the notice
	// Labels of the form's fields, in the portal's wording.
	LinkLabel     string `json:"-"` // the infringing link
	ReasonLabel   string `json:"-"` // the complaint's grounds
	EvidenceLabel string `json:"-"` // supporting evidence
}

var platforms = []Platform{
	{ID: "alibaba", Name: "阿里巴巴知识产权保护平台", Portal: "https://ipp.alibabagroup.com/",
		LinkLabel: "被投诉商品链接", ReasonLabel: "投诉理由", EvidenceLabel: "侵权证明材料"},
	{ID: "jd", Name: "京东知识产权保护平台", Portal: "https://ipr.jd.com/",
		LinkLabel: "侵权商品链接", ReasonLabel: "侵权说明", EvidenceLabel: "证据材料"},
	{ID: "pinduoduo", Name: "拼多多知识产权保护平台", Portal: "https://ipp.pinduoduo.com/",
		LinkLabel: "侵权商品链接", ReasonLabel: "投诉说明", EvidenceLabel: "侵权证据"},
}

// Platforms returns the portals notices can be generated for.
func Platforms() []Platform { return slices.Clone(platforms) }

// PlatformByID returns the portal with that id.
func PlatformByID(id string) (Platform, bool) {
	for _, p := range platforms {
		if p.ID == id {
			return p, true
		}
	}
	return Platform{}, false
}

// Kinds of infringement a notice claims, in the portals' wording.
const (
	InfringeCounterfeit  = "假冒注册商标"                  // the registered mark itself, or 仿/高仿 wording
	InfringeTrademark    = "商标侵权（使用近似商标，容易导致混淆）"     // a look-alike of the mark
	InfringeUnfair       = "不正当竞争（擅自使用中华老字号名称，引人误认）" // Anti-Unfair Competition Law art. 6
	InfringeGIOrigin     = "地理标志侵权（产地不符，误导公众）"
	InfringeGIQualifier  = "地理标志侵权（使用“类”“型”“式”“仿”等表述）"
	InfringeGIUnspecific = "地理标志侵权"
)

// NoticeDoc is a takedown notice for one platform's portal: the fields its
// complaint form asks for, filled from the case, the mark and the alerts.
type NoticeDoc struct {
	Platform     Platform        `json:"platform"`
	CaseNumber   string          `json:"case_number"`
	CaseTitle    string          `json:"case_title,omitempty"`
	Jurisdiction string          `json:"jurisdiction,omitempty"`
	MarkID       string          `json:"mark_id"`
	MarkName     string          `json:"mark_name"`
	MarkKind     domain.MarkKind `json:"mark_kind"`
	// RightType is the right the complaint rests on (商标权, 地理标志…).
	RightType    string `json:"right_type"`
	RightsHolder string `json:"rights_holder"`
	// RegistrationNumber is the registration (or GI announcement) number.
	// The registry does not hold it: empty, and Text asks for it.
	RegistrationNumber string   `json:"registration_number"`
	Classes            []int    `json:"classes,omitempty"`
	Goods              []string `json:"goods,omitempty"`
	WellKnown          bool     `json:"well_known,omitempty"`
	// Infringement lists the kinds of infringement claimed, most serious first.
	Infringement []string     `json:"infringement"`
	Items        []NoticeItem `json:"items"`
}

// NoticeItem is one infringing listing of a notice.
type NoticeItem struct {
	AlertID   int64     `json:"alert_id"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Seller    string    `json:"seller"`
	Location  string    `json:"location,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// Infringement are the kinds this listing shows.
	Infringement []string `json:"infringement"`
	Reasons      []string `json:"reasons"`
	Evidence     []string `json:"evidence,omitempty"`
}

// Notice fills a takedown notice for a platform from a case, its mark and
// its alerts (in the order given); evidenceLinks maps an alert id to the
// links of its evidence (packet, artefacts). Listing and evidence links are
// kept as stored, but must be http(s). The mark must be the case's, each
// alert on the mark, in the case when the case lists alerts, and not
// dismissed; failures are EINVALID.
func Notice(platform string, c domain.Case, mark domain.Mark, alerts []domain.Alert, evidenceLinks map[int64][]string) (NoticeDoc, error) {
	p, ok := PlatformByID(platform)
	if !ok {
		ids := make([]string, len(platforms))
		for i, p := range platforms {
			ids[i] = p.ID
		}
		return NoticeDoc{}, domain.Errorf(domain.EINVALID, "不支持的平台 %q，可选：%s / unknown platform %q; one of: %s",
			platform, strings.Join(ids, "、"), platform, strings.Join(ids, ", "))
	}
	if c.MarkID != "" && c.MarkID != mark.ID {
		return NoticeDoc{}, domain.Errorf(domain.EINVALID, "case %s is on mark %q, not %q", c.Number, c.MarkID, mark.ID)
	}
	if len(alerts) == 0 {
		return NoticeDoc{}, domain.Errorf(domain.EINVALID, "案件 %s 没有侵权链接 / case %s has no alerts to notify", c.Number, c.Number)
	}
	d := NoticeDoc{
		Platform:     p,
		CaseNumber:   c.Number,
		CaseTitle:    c.Title,
		Jurisdiction: c.Jurisdiction,
		MarkID:       mark.ID,
		MarkName:     mark.Name,
		MarkKind:     mark.Kind,
		RightType:    rightType(mark),
		RightsHolder: mark.Owner,
		Classes:      slices.Clone(mark.Classes),
		Goods:        slices.Clone(mark.Goods),
		WellKnown:    mark.WellKnown,
	}
	if d.Jurisdiction == "" {
		d.Jurisdiction = Jurisdiction(alerts)
	}
	seen := map[int64]bool{}
	for _, a := range alerts {
		if err := checkAlert(c, mark, a, seen); err != nil {
			return NoticeDoc{}, err
		}
		it := NoticeItem{AlertID: a.ID, URL: a.URL, Title: a.Title, Seller: a.Seller, Location: a.Location,
			FirstSeen: a.FirstSeen, LastSeen: a.LastSeen, Infringement: infringement(mark, a.Reasons)}
		for _, r := range a.Reasons {
			if r.Text != "" {
				it.Reasons = append(it.Reasons, r.Text)
			}
		}
		for _, link := range evidenceLinks[a.ID] {
			if err := httpLink(link); err != nil {
				return NoticeDoc{}, domain.Errorf(domain.EINVALID, "alert %d: evidence link %q: %v", a.ID, link, err)
			}
			it.Evidence = append(it.Evidence, link)
		}
		for _, k := range it.Infringement {
			if !slices.Contains(d.Infringement, k) {
				d.Infringement = append(d.Infringement, k)
			}
		}
		d.Items = append(d.Items, it)
	}
	slices.SortStableFunc(d.Infringement, func(a, b string) int { return severity(a) - severity(b) })
	return d, nil
}

func checkAlert(c domain.Case, mark domain.Mark, a domain.Alert, seen map[int64]bool) error {
	switch {
	case seen[a.ID]:
		return domain.Errorf(domain.EINVALID, "alert %d is given twice", a.ID)
	case a.MarkID != mark.ID:
		return domain.Errorf(domain.EINVALID, "alert %d is on mark %q, not %q", a.ID, a.MarkID, mark.ID)
	case len(c.AlertIDs) > 0 && !slices.Contains(c.AlertIDs, a.ID):
		return domain.Errorf(domain.EINVALID, "alert %d is not in case %s", a.ID, c.Number)
	case a.Status == domain.AlertDismissed:
		return domain.Errorf(domain.EINVALID, "alert %d was dismissed: it is no infringement to notify", a.ID)
	}
	seen[a.ID] = true
	if err := httpLink(a.URL); err != nil {
		return domain.Errorf(domain.EINVALID, "alert %d: listing link %q: %v", a.ID, a.URL, err)
	}
	return nil
}

// httpLink accepts an absolute http or https URL with a host.
func httpLink(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("only http(s) links are allowed")
	}
	if u.Host == "" {
		return fmt.Errorf("no host")
	}
	if strings.ContainsAny(s, "\r\n") {
		return fmt.Errorf("line break in link")
	}
	return nil
}

func rightType(m domain.Mark) string {
	switch m.Kind {
	case domain.KindTimeHonoured:
		if len(m.Classes) > 0 {
			return "商标权（中华老字号）"
		}
		return "中华老字号名称权益"
	case domain.KindGI:
		return "地理标志（证明商标/地理标志产品）"
	}
	if m.WellKnown {
		return "商标权（驰名商标）"
	}
	return "商标权"
}

// infringement derives what a listing infringes from the mark's kind and the
// alert's reasons: a registered mark used as is, or with 仿/高仿 wording, is
// 假冒; a look-alike is 商标侵权; a 老字号 name is also 不正当竞争; a GI is
// misused by origin or by 类/型/仿 qualifiers.
func infringement(m domain.Mark, reasons []domain.Reason) []string {
	has := func(tactics ...string) bool {
		for _, r := range reasons {
			if slices.Contains(tactics, r.Tactic) {
				return true
			}
		}
		return false
	}
	var out []string
	if m.Kind == domain.KindGI {
		if has("gi-qualifier") {
			out = append(out, InfringeGIQualifier)
		}
		if has("gi-origin") {
			out = append(out, InfringeGIOrigin)
		}
		if has("counterfeit") && !has("gi-qualifier") {
			out = append(out, InfringeGIQualifier)
		}
		if len(out) == 0 {
			out = append(out, InfringeGIUnspecific)
		}
		return out
	}
	registered := m.Kind == domain.KindTrademark || len(m.Classes) > 0
	if registered {
		if has("exact", "counterfeit") {
			out = append(out, InfringeCounterfeit)
		}
		if !has("exact") || has("sound", "shape", "split", "merge", "insertion", "deletion", "reorder", "swap", "script", "latin", "symbols") {
			out = append(out, InfringeTrademark)
		}
	}
	if m.Kind == domain.KindTimeHonoured {
		out = append(out, InfringeUnfair)
	}
	return out
}

func severity(kind string) int {
	order := []string{InfringeCounterfeit, InfringeTrademark, InfringeUnfair, InfringeGIQualifier, InfringeGIOrigin, InfringeGIUnspecific}
	if i := slices.Index(order, kind); i >= 0 {
		return i
	}
	return len(order)
}

// registrationLabel names the registration number field for the mark's kind.
func (d NoticeDoc) registrationLabel() string {
	if d.MarkKind == domain.KindGI {
		return "地理标志注册号/公告号"
	}
	return "商标注册号"
}

func (d NoticeDoc) registration() string {
	if d.RegistrationNumber != "" {
		return d.RegistrationNumber
	}
	return "（请填写" + d.registrationLabel() + "，见注册证）"
}

func (d NoticeDoc) classes() string {
	if len(d.Classes) == 0 {
		return "—"
	}
	out := make([]string, len(d.Classes))
	for i, c := range d.Classes {
		out[i] = "第" + strconv.Itoa(c) + "类"
	}
	return strings.Join(out, "、")
}

// Text is the notice as filled text a person pastes into the portal's form.
func (d NoticeDoc) Text() string {
	var b strings.Builder
	p := d.Platform
	// A value never breaks its line: a seller named "x\n权利人：y" must not
	// add a field.
	line := func(label, value string) { fmt.Fprintf(&b, "%s：%s\n", label, oneLine(value)) }
	fmt.Fprintf(&b, "【%s】侵权投诉\n", p.Name)
	line("投诉入口", p.Portal)
	line("案件编号", d.CaseNumber)
	if d.Jurisdiction != "" {
		line("涉案地区", d.Jurisdiction)
	}
	b.WriteString("\n一、权利信息\n")
	line("权利人", orDash(d.RightsHolder))
	line("权利类型", d.RightType)
	line("权利名称", d.MarkName)
	line(d.registrationLabel(), d.registration())
	if d.MarkKind != domain.KindGI || len(d.Classes) > 0 {
		line("核定使用类别", d.classes())
	}
	if len(d.Goods) > 0 {
		line("核定使用商品（部分）", strings.Join(d.Goods, "、"))
	}
	if d.WellKnown {
		line("驰名商标", "是")
	}
	line("投诉类型", strings.Join(d.Infringement, "；"))
	fmt.Fprintf(&b, "\n二、被投诉商品（共 %d 个）\n", len(d.Items))
	for i, it := range d.Items {
		fmt.Fprintf(&b, "\n%d. %s：%s\n", i+1, p.LinkLabel, it.URL)
		line("   商品标题", it.Title)
		line("   店铺名称", orDash(it.Seller))
		if it.Location != "" {
			line("   所在地", it.Location)
		}
		line("   首次/最近发现", it.FirstSeen.In(beijing).Format("2006-01-02 15:04")+" / "+it.LastSeen.In(beijing).Format("2006-01-02 15:04")+"（北京时间）")
		line("   侵权类型", strings.Join(it.Infringement, "；"))
		line("   "+p.ReasonLabel, strings.Join(it.Reasons, "；"))
		if len(it.Evidence) > 0 {
			line("   "+p.EvidenceLabel, strings.Join(it.Evidence, " "))
		}
	}
	b.WriteString("\n三、" + p.ReasonLabel + "\n")
	b.WriteString(d.statement())
	b.WriteString("\n")
	return b.String()
}

// statement is the complaint's grounds in prose, by the mark's kind.
func (d NoticeDoc) statement() string {
	kinds := strings.Join(d.Infringement, "；")
	var s string
	switch d.MarkKind {
	case domain.KindGI:
		s = fmt.Sprintf("“%s”是受保护的地理标志，权利人为%s。上述商品在商品标题中使用该地理标志（%s），"+
			"其卖家所在地或表述表明商品并非来自该地理标志保护区域，误导公众对商品产地、品质的认识。", d.MarkName, orDash(d.RightsHolder), kinds)
	case domain.KindTimeHonoured:
		s = fmt.Sprintf("“%s”是中华老字号，权利人为%s。上述商品未经许可，在商品标题中擅自使用与其相同或近似的名称（%s），"+
			"引人误认为是该老字号的商品或者与其存在特定联系（《反不正当竞争法》第六条）。", d.MarkName, orDash(d.RightsHolder), kinds)
	default:
		s = fmt.Sprintf("“%s”是%s的注册商标。上述商品未经商标注册人许可，在同一种或类似商品上使用与其相同或近似的标识（%s），"+
			"容易导致混淆（《商标法》第五十七条）。", d.MarkName, orDash(d.RightsHolder), kinds)
	}
	return s + "相关网页已由 markwatch 取证留存（原始网页、截图及其 SHA-256 哈希，经可信时间戳固定），证据链接见上。请依法删除上述链接。"
}

// beijing is the time zone the portals and supervisors read times in.
var beijing = time.FixedZone("CST", 8*3600)

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// cell keeps a spreadsheet from reading text as a formula (=, +, -, @ and
// control characters at the start are prefixed with an apostrophe, as
// OWASP advises for CSV injection); links are always http(s) and untouched.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r\n", rune(s[0])) {
		return "'" + s
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// csvHeader is the batch upload's columns; the link, reason and evidence
// columns take the platform's own wording.
func (d NoticeDoc) csvHeader() []string {
	p := d.Platform
	return []string{"平台", "案件编号", "权利人", "权利类型", "权利名称", d.registrationLabel(), "类别", "侵权类型",
		p.LinkLabel, "商品标题", "店铺名称", "所在地", "首次发现", "最近发现", p.ReasonLabel, p.EvidenceLabel}
}

// WriteCSV writes the notice as a batch: a header row, then one row per
// infringing link (UTF-8, no byte-order mark; times in RFC 3339, Beijing).
// Multiple reasons are joined with "；", evidence links with a space; text
// that a spreadsheet would run as a formula gets a leading apostrophe.
func (d NoticeDoc) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(d.csvHeader()); err != nil {
		return err
	}
	classes := make([]string, len(d.Classes))
	for i, c := range d.Classes {
		classes[i] = strconv.Itoa(c)
	}
	for _, it := range d.Items {
		row := []string{d.Platform.Name, cell(d.CaseNumber), cell(d.RightsHolder), d.RightType, cell(d.MarkName), cell(d.RegistrationNumber),
			strings.Join(classes, "、"), strings.Join(it.Infringement, "；"), it.URL, cell(it.Title), cell(it.Seller), cell(it.Location),
			it.FirstSeen.In(beijing).Format(time.RFC3339), it.LastSeen.In(beijing).Format(time.RFC3339),
			cell(strings.Join(it.Reasons, "；")), strings.Join(it.Evidence, " ")}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// JSON is the notice as indented JSON, for a batch API or the console.
func (d NoticeDoc) JSON() ([]byte, error) {
	return json.MarshalIndent(d, "", "  ")
}
