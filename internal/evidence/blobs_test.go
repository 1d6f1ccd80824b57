package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func newFS(t testing.TB, max int64) *FS {
	t.Helper()
	s, err := NewFS(filepath.Join(t.TempDir(), "evidence"), max)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFSPutStoresByContent(t *testing.T) {
	ctx := context.Background()
	s := newFS(t, 0)
	page := []byte("<html><title>耐克 Air Max 正品</title></html>")
	ref, err := s.Put(ctx, bytes.NewReader(page), "text/html; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(page)
	want := hex.EncodeToString(sum[:])
	if ref.SHA256 != want || ref.Size != int64(len(page)) || ref.MediaType != "text/html; charset=utf-8" {
		t.Fatalf("ref = %+v, want sha %s size %d", ref, want, len(page))
	}
	path := filepath.Join(s.Dir(), "sha256", want[:2], want[2:4], want)
	if s.Path(want) != path {
		t.Errorf("Path = %s, want %s", s.Path(want), path)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o444 {
		t.Errorf("mode %04o, want 0444", st.Mode().Perm())
	}
	rc, err := s.Open(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, page) {
		t.Errorf("Open returned %q", got)
	}
	if ok, err := s.Exists(ctx, want); !ok || err != nil {
		t.Errorf("Exists = %v, %v", ok, err)
	}
	if ok, err := s.Exists(ctx, strings.Repeat("0", 64)); ok || err != nil {
		t.Errorf("Exists(absent) = %v, %v", ok, err)
	}
	if _, err := s.Open(ctx, strings.Repeat("0", 64)); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Open(absent) err = %v, want not_found", err)
	}
	leftovers(t, s)
}

// The same bytes again give the same reference and leave the stored file
// alone: same inode, same time, even when the stored copy was tampered
// with (Verify is what finds that, not a silent repair that hides it).
func TestFSPutDeduplicates(t *testing.T) {
	ctx := context.Background()
	s := newFS(t, 0)
	page := bytes.Repeat([]byte("商品 "), 1000)
	first, err := s.Put(ctx, bytes.NewReader(page), "text/html")
	if err != nil {
		t.Fatal(err)
	}
	path := s.Path(first.SHA256)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	second, err := s.Put(ctx, bytes.NewReader(page), "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Errorf("second ref %+v, want %+v", second, first)
	}
	after, _ := os.Stat(path)
	if !os.SameFile(before, after) || !after.ModTime().Equal(old) {
		t.Errorf("the stored file was replaced or touched (mtime %v, want %v)", after.ModTime(), old)
	}
	leftovers(t, s)
}

func TestFSPutRefusesOverLimit(t *testing.T) {
	ctx := context.Background()
	s := newFS(t, 1000)
	if _, err := s.Put(ctx, bytes.NewReader(make([]byte, 1000)), "application/octet-stream"); err != nil {
		t.Fatalf("exactly the limit: %v", err)
	}
	_, err := s.Put(ctx, io.LimitReader(zeroReader{}, 1<<30), "application/octet-stream")
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "over 1000 bytes") {
		t.Fatalf("err = %v, want invalid 'over 1000 bytes'", err)
	}
	leftovers(t, s)
}

// Two crawls that saw the same page store it at once: both get the
// reference, one file results, no temp file is left and nothing races.
func TestFSPutConcurrentSameContent(t *testing.T) {
	ctx := context.Background()
	s := newFS(t, 0)
	page := bytes.Repeat([]byte("<div class=item>仿冒</div>"), 2000)
	var wg sync.WaitGroup
	refs := make([]domain.ArtefactRef, 16)
	errs := make([]error, 16)
	for i := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			refs[i], errs[i] = s.Put(ctx, bytes.NewReader(page), "text/html")
		}()
	}
	wg.Wait()
	for i := range refs {
		if errs[i] != nil || refs[i] != refs[0] {
			t.Fatalf("put %d: %+v, %v; want %+v", i, refs[i], errs[i], refs[0])
		}
	}
	got, err := os.ReadFile(s.Path(refs[0].SHA256))
	if err != nil || !bytes.Equal(got, page) {
		t.Fatalf("stored file: %d bytes, %v", len(got), err)
	}
	leftovers(t, s)
}

func TestFSRefusesPathsThatAreNotHashes(t *testing.T) {
	ctx := context.Background()
	s := newFS(t, 0)
	for _, sha := range []string{"../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("0", 63), ""} {
		if _, err := s.Open(ctx, sha); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Open(%q) err = %v, want invalid", sha, err)
		}
		if _, err := s.Exists(ctx, sha); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Exists(%q) err = %v, want invalid", sha, err)
		}
	}
}

func TestFSPutStopsWithContext(t *testing.T) {
	s := newFS(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, io.LimitReader(zeroReader{}, 1<<20), "x/y"); err == nil {
		t.Fatal("Put with a cancelled context succeeded")
	}
	leftovers(t, s)
}

// leftovers fails when a temporary file survived a Put.
func leftovers(t *testing.T, s *FS) {
	t.Helper()
	tmp, _ := filepath.Glob(filepath.Join(s.Dir(), ".put-*"))
	if len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// marketplacePage is a realistic search result page: about 80 KB of
// repetitive HTML with Chinese titles and prices.
func marketplacePage() []byte {
	var b bytes.Buffer
	b.WriteString(`<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>搜索 耐克 - 淘宝网</title></head><body><div id="list">`)
	for i := 0; b.Len() < 80<<10; i++ {
		b.WriteString(`<div class="item" data-nid="`)
		b.WriteString(strings.Repeat("7", 12))
		b.WriteString(`"><a href="https://item.taobao.com/item.htm?id=6`)
		b.WriteString(hex.EncodeToString([]byte{byte(i), byte(i >> 8)}))
		b.WriteString(`"><img src="//g-search1.alicdn.com/img/bao/uploaded/i4/`)
		b.WriteString(hex.EncodeToString([]byte{byte(i * 7), byte(i * 13), byte(i)}))
		b.WriteString(`.jpg_230x230.jpg"><span class="title">耐克 NIKE AIR MAX 270 男鞋 气垫 正品 官方旗舰 新款</span></a><span class="price">¥299.00</span><span class="shop">潮流鞋铺</span><span class="loc">福建 莆田</span><span class="deal">1000+人付款</span></div>`)
	}
	b.WriteString(`</div></body></html>`)
	return b.Bytes()
}

// BenchmarkPut measures storing one marketplace page (hash, fsync, link,
// directory fsync) against a plain os.WriteFile of the same bytes and
// against os.WriteFile followed by fsync, in the same run. Each iteration
// stores new bytes: a page seen before costs less (no file is written).
func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	s := newFS(b, 0)
	base := filepath.Join(b.TempDir(), "plain")
	if err := os.MkdirAll(base, 0o755); err != nil {
		b.Fatal(err)
	}
	page := marketplacePage()
	var put, plain, synced time.Duration
	b.SetBytes(int64(len(page)))
	i := 0
	for ; b.Loop(); i++ {
		copy(page[len(page)-16:], hex.EncodeToString([]byte{byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24)}))
		start := time.Now()
		if _, err := s.Put(ctx, bytes.NewReader(page), "text/html"); err != nil {
			b.Fatal(err)
		}
		put += time.Since(start)

		name := filepath.Join(base, hex.EncodeToString([]byte{byte(i), byte(i >> 8), byte(i >> 16)}))
		start = time.Now()
		if err := os.WriteFile(name, page, 0o644); err != nil {
			b.Fatal(err)
		}
		plain += time.Since(start)

		start = time.Now()
		f, err := os.OpenFile(name+".s", os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = f.Write(page)
		_ = f.Sync()
		_ = f.Close()
		synced += time.Since(start)
	}
	n := float64(i)
	b.ReportMetric(float64(put.Nanoseconds())/n, "put_ns/op")
	b.ReportMetric(float64(plain.Nanoseconds())/n, "writefile_ns/op")
	b.ReportMetric(float64(synced.Nanoseconds())/n, "writefile_fsync_ns/op")
	b.ReportMetric(float64(put)/float64(plain), "x_writefile")
	b.ReportMetric(float64(put)/float64(synced), "x_writefile_fsync")
}
