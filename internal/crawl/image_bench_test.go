package crawl_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/crawl/crawltest"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/imagesig"
)

// BenchmarkImageFetch is the image signal's cost to a crawl: the same
// 40-card results pages (loopback, parallelism 8, no delay) crawled without
// images.fetch (the baseline, in the same iteration), with it on a fresh
// Crawler (every photo fetched and hashed: a 400×400 JPEG per card, each
// card its own URL), and again on the same Crawler (every photo from the
// cache). x-no-images is the ratio of the fetching run to the baseline;
// on loopback it is the cost of decoding and hashing photos against that of
// parsing HTML. x-raw compares the fetching run with the baseline plus the
// floor of its extra work: the same photos fetched by a plain client (16 at
// a time, as the run's stage) and hashed, with no politeness, cache or
// bookkeeping; it is what the image stage itself costs.
func BenchmarkImageFetch(b *testing.B) {
	const pagesPerIter = 5
	photo := jpegOf(b, packshot(2, 400, 400), 85)
	var queries []string
	pages := map[string][]byte{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/img/") {
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(photo)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(pages[r.URL.Query().Get("q")])
	}))
	defer srv.Close()
	for i := range pagesPerIter {
		q := fmt.Sprintf("q%d", i)
		queries = append(queries, q)
		pages[q] = bytes.ReplaceAll(crawltest.ResultsPage(q, benchTitles), []byte("//img.example.cn/"), []byte(srv.URL+"/img/"+q+"/"))
	}
	plain := mustSource(b, crawltest.SourceYAML(srv.URL))
	withImages := mustSource(b, crawltest.SourceYAML(srv.URL)+"images:\n  fetch: true\n")
	const listings = pagesPerIter * crawltest.CardsPerPage
	run := func(c *crawl.Crawler, src crawl.Source) (crawl.Stats, time.Duration) {
		start := time.Now()
		n := 0
		st, err := c.Run(context.Background(), src, queries, func(domain.Listing) error { n++; return nil })
		if err != nil || n != listings {
			b.Fatalf("crawl: %d listings, %+v, %v", n, st, err)
		}
		return st, time.Since(start)
	}
	base := crawl.New(crawl.Options{AllowPrivate: true, Transport: crawltest.Transport()})
	var plainT, fetchT, cachedT, rawT time.Duration
	b.ResetTimer()
	for range b.N {
		_, d := run(base, plain)
		plainT += d
		c := imageCrawler(crawl.Options{AllowPrivate: true, Transport: crawltest.Transport()})
		st, d := run(c, withImages)
		fetchT += d
		if st.Images.Fetched != listings {
			b.Fatalf("image stats %+v, want %d fetched", st.Images, listings)
		}
		st, d = run(c, withImages)
		cachedT += d
		rawT += rawFetchAndHash(b, srv.URL, queries)
		if st.Images.Cached != listings {
			b.Fatalf("image stats %+v, want %d cached", st.Images, listings)
		}
	}
	b.StopTimer()
	perListing := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N*listings) }
	b.ReportMetric(perListing(plainT), "µs/listing-plain")
	b.ReportMetric(perListing(fetchT), "µs/listing-images")
	b.ReportMetric(perListing(cachedT), "µs/listing-cached")
	b.ReportMetric(fetchT.Seconds()/plainT.Seconds(), "x-no-images")
	b.ReportMetric(cachedT.Seconds()/plainT.Seconds(), "x-cached")
	b.ReportMetric(fetchT.Seconds()/(plainT+rawT).Seconds(), "x-raw")
	b.ReportMetric(float64(len(photo))/1024, "KB/image")
	b.ReportMetric(0, "ns/op")
}

// rawFetchAndHash fetches and hashes every card's photo with a plain
// client, 16 at a time.
func rawFetchAndHash(b *testing.B, base string, queries []string) time.Duration {
	client := &http.Client{Transport: crawltest.Transport()}
	defer client.CloseIdleConnections()
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	start := time.Now()
	for _, q := range queries {
		for i := range crawltest.CardsPerPage {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				resp, err := client.Get(fmt.Sprintf("%s/img/%s/%d.jpg", base, q, i))
				if err != nil {
					b.Error(err)
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil {
					_, err = imagesig.Hasher{}.Hash(body)
				}
				if err != nil {
					b.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	return time.Since(start)
}
