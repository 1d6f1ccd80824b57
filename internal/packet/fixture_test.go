package packet

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/big"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/markwatch/markwatch/internal/domain"
)

// needTool skips without a tool on a developer machine and fails under CI,
// where make test installs chromium (install-chromium.sh) and poppler-utils
// (install-fonts.sh).
func needTool(t testing.TB, names ...string) string {
	t.Helper()
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s not found; make test installs it (deploy/scripts/install-chromium.sh, install-fonts.sh)", names[0])
	}
	t.Skipf("%s not found (deploy/scripts/install-chromium.sh, install-fonts.sh install it)", names[0])
	return ""
}

// headText is the evidence package's canonical tree head text.
func headText(h domain.TreeHead) []byte {
	return fmt.Appendf(nil, "markwatch evidence tree head v1\n%d\n%s\n%s\n", h.Size, h.RootHash, h.CreatedAt.UTC().Format(time.RFC3339Nano))
}

// testTSA is a root CA and a TSA certificate that issue RFC 3161 tokens.
type testTSA struct {
	caPEM []byte
	cert  *x509.Certificate
	key   crypto.Signer
}

func newTestTSA(t testing.TB) *testTSA {
	t.Helper()
	now := time.Now()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "markwatch packet test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}}) // id-kp-timeStamping
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "markwatch packet test TSA", Organization: []string{"测试时间戳中心"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testTSA{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), cert: cert, key: key}
}

// stamp returns the TimeStampToken (DER) over data, as the store keeps it.
func (a *testTSA) stamp(t testing.TB, data []byte) []byte {
	t.Helper()
	sum := sha256.Sum256(data)
	ts := timestamp.Timestamp{HashAlgorithm: crypto.SHA256, HashedMessage: sum[:], Time: time.Now().UTC().Truncate(time.Second),
		Policy: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Nonce: big.NewInt(7), AddTSACertificate: true, Ordering: false}
	resp, err := ts.CreateResponseWithOpts(a.cert, a.key, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := timestamp.ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	return parsed.RawToken
}

// demoPNG is a real PNG: a mock listing page with a coloured header band.
func demoPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{245, 245, 245, 255}
			switch {
			case y < h/6:
				c = color.RGBA{255, 80, 0, 255} // a marketplace's orange header
			case x > w/10 && x < w/2 && y > h/4 && y < h*3/4:
				c = color.RGBA{uint8(x % 256), uint8(y % 256), 160, 255} // the product picture
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	shotOnce  sync.Once
	shotBytes []byte
)

// demoShot is the demo's 480×640 screenshot, drawn once (slow under -race).
func demoShot(t testing.TB) []byte {
	shotOnce.Do(func() { shotBytes = demoPNG(t, 480, 640) })
	return shotBytes
}

// blobs is an in-memory content-addressed store.
type blobs map[string][]byte

func (b blobs) put(role, mediaType string, data []byte) domain.ArtefactRef {
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	b[sha] = data
	return domain.ArtefactRef{Role: role, SHA256: sha, Size: int64(len(data)), MediaType: mediaType}
}

func (b blobs) open(sha string) (io.ReadCloser, error) {
	data, ok := b[sha]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "artefact %s not found", sha)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

var (
	t0        = time.Date(2026, 11, 3, 2, 15, 30, 123456789, time.UTC)
	markLiuge = domain.Mark{ID: "liugehetao", Name: "六个核桃", Kind: domain.KindTrademark, Owner: "河北养元智汇饮品股份有限公司",
		WellKnown: true, Classes: []int{32}, Goods: []string{"核桃乳", "核桃露", "植物蛋白饮料"}}
)

// demo builds the demo case: two listings of 六个核桃 look-alikes by
// 某某食品专营店, three captures, two tree heads (the first stamped).
func demo(t testing.TB) (Data, blobs) {
	t.Helper()
	b := blobs{}
	shot := demoShot(t)
	search := b.put(domain.RoleSearchPage, "text/html; charset=utf-8", []byte("<html><body><div class=item>六个核桃 核桃乳 240ml*20罐 整箱 ¥49.90 某某食品专营店</div></body></html>"))
	detail := b.put(domain.RoleDetailPage, "text/html; charset=gbk", []byte("<html>\xc1\xf9\xb8\xf6\xba\xcb\xcc\xd2</html>")) // GBK bytes as received
	img := b.put(domain.RoleImage, "image/jpeg", []byte("\xff\xd8\xff\xe0 not really a jpeg, bytes as received"))
	ss := b.put(domain.RoleScreenshot, "image/png", shot)
	snap := b.put(domain.RoleSnapshot, "multipart/related; type=\"text/html\"", []byte("From: <Saved by Blink>\r\nSnapshot-Content-Location: https://item.taobao.com/item.htm?id=600001\r\n\r\n..."))
	fetch := domain.Fetch{RequestURL: "https://s.taobao.com/search?q=%E5%85%AD%E4%B8%AA%E6%A0%B8%E6%A1%83", FinalURL: "https://s.taobao.com/search?q=%E5%85%AD%E4%B8%AA%E6%A0%B8%E6%A1%83&page=1",
		Status: 200, Headers: map[string][]string{"Content-Type": {"text/html; charset=utf-8"}}, FetchedAt: t0, UserAgent: "markwatch/0.8 (+https://markwatch.example)", RemoteAddr: "140.205.94.189:443"}

	a1 := domain.Alert{ID: 11, MarkID: "liugehetao", SourceID: "taobao", URL: "https://item.taobao.com/item.htm?id=600001&spm=a21n57.1.0.0",
		Title: "六个核桃 核桃乳 240ml*20罐 整箱", Seller: "某某食品专营店", Location: "河北 石家庄", Score: 0.97, Status: domain.AlertConfirmed,
		Reasons: []domain.Reason{{Tactic: "exact", Text: "同名: 六个核桃", Start: 0, End: 4}, {Tactic: "context", Text: "商品: 核桃乳", Start: 5, End: 8},
			{Tactic: "context", Text: "驰名商标: 商品类别之外", Start: -1, End: -1}},
		FirstSeen: t0, LastSeen: t0.Add(72 * time.Hour)}
	a2 := domain.Alert{ID: 12, MarkID: "liugehetao", SourceID: "taobao", URL: "https://item.taobao.com/item.htm?id=600002",
		Title: "六個核桃 高仿 核桃露 礼盒", Seller: "某某食品专营店", Location: "河北 保定", Score: 0.91, Status: domain.AlertConfirmed,
		Reasons:   []domain.Reason{{Tactic: "script", Text: "繁体/异体: 個→个", Start: 0, End: 4}, {Tactic: "counterfeit", Text: "假冒用语: 高仿", Start: 5, End: 7}},
		FirstSeen: t0.Add(time.Hour), LastSeen: t0.Add(50 * time.Hour)}

	c1 := domain.Capture{ID: 101, AlertID: 11, Version: 1, SourceID: "taobao", MarkID: "liugehetao", ListingURL: a1.URL, Fetch: fetch,
		Artefacts: []domain.ArtefactRef{search, detail, img}, MarkwatchVersion: "0.8.0", CapturedAt: t0, RecordHash: strings.Repeat("a1", 32), LogIndex: 0}
	c2 := domain.Capture{ID: 102, AlertID: 11, Version: 2, SourceID: "taobao", MarkID: "liugehetao", ListingURL: a1.URL,
		Fetch:     domain.Fetch{RequestURL: a1.URL, FinalURL: a1.URL, Status: 200, FetchedAt: t0.Add(6 * time.Hour), UserAgent: fetch.UserAgent, Rendered: true},
		Artefacts: []domain.ArtefactRef{ss, snap}, MarkwatchVersion: "0.8.0", CapturedAt: t0.Add(6 * time.Hour), RecordHash: strings.Repeat("b2", 32), LogIndex: 1}
	c3 := domain.Capture{ID: 103, AlertID: 12, Version: 1, SourceID: "taobao", MarkID: "liugehetao", ListingURL: a2.URL, Fetch: fetch,
		Artefacts: []domain.ArtefactRef{search}, MarkwatchVersion: "0.8.0", CapturedAt: t0.Add(time.Hour), RecordHash: strings.Repeat("c3", 32), LogIndex: 2}

	versions := []domain.ListingVersion{
		{ID: 2, AlertID: 11, Version: 2, SeenAt: t0.Add(6 * time.Hour), Title: a1.Title, Price: 39.9, Seller: a1.Seller, Available: true, Changes: []string{"price"}, CaptureID: 102},
		{ID: 1, AlertID: 11, Version: 1, SeenAt: t0, Title: a1.Title, Price: 49.9, Seller: a1.Seller, Available: true, CaptureID: 101},
	}
	tsa := newTestTSA(t)
	h1 := domain.TreeHead{ID: 1, Size: 2, RootHash: strings.Repeat("d4", 32), CreatedAt: t0.Add(7 * time.Hour), Signature: strings.Repeat("e5", 64), KeyID: strings.Repeat("f6", 32)}
	h1.TSAToken = tsa.stamp(t, headText(h1))
	stamped := h1.CreatedAt.Add(time.Minute)
	h1.StampedAt = &stamped
	h2 := domain.TreeHead{ID: 2, Size: 3, RootHash: strings.Repeat("07", 32), CreatedAt: t0.Add(8 * time.Hour), Signature: strings.Repeat("18", 64), KeyID: h1.KeyID}

	d := Data{
		Case: domain.Case{ID: 1, Number: "MW-2026-0001", Title: "六个核桃仿冒（某某食品专营店）", MarkID: "liugehetao", Jurisdiction: "河北",
			Assignee: "石家庄市市场监督管理局 王科长", Status: domain.CaseInvestigating, Notes: "同一卖家两个链接", AlertIDs: []int64{11, 12}, CreatedAt: t0.Add(80 * time.Hour)},
		Mark: markLiuge,
		Items: []Item{
			{Alert: a1, Versions: versions, Captures: []domain.Capture{c2, c1}, Screenshot: shot},
			{Alert: a2, Captures: []domain.Capture{c3}},
		},
		TreeHeads:   []domain.TreeHead{h1, h2},
		TSACertPEM:  tsa.caPEM,
		GeneratedAt: t0.Add(81 * time.Hour),
		GeneratedBy: "王科长",
		BaseURL:     "https://markwatch.example.gov.cn/",
	}
	return d, b
}
