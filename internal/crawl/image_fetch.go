package crawl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// Kinds of image failures beyond those pages share (ImageStats.Errors).
const (
	// KindImageURL: the listing's image URL is not an absolute http(s) URL
	// (a data: placeholder, a relative link on a page without a base).
	KindImageURL = "image_url"
	// KindImageDecode: the body said image but the hasher could not read it.
	KindImageDecode = "image_decode"
)

const imageAccept = "image/avif,image/webp,image/apng,image/*;q=0.9,*/*;q=0.5"

// imageStage fetches and hashes the images of a run's listings before they
// are emitted. Each batch handed to deliver (a page's new listings, or one
// listing back from its own page) waits in a goroutine of its own, so the
// fetcher goes on to the next page while the images load; the images take
// their turns in the run's politeTransport like pages do. Run waits for
// every batch before it returns.
type imageStage struct {
	r      *run
	hasher ImageHasher
	client *http.Client
	hdr    map[string]string
	limit  int64
	// sem bounds the image requests of the run in flight or waiting for a
	// slot, whatever their host: a run of many pages does not pile up
	// thousands of waiting goroutines.
	sem chan struct{}
	wg  sync.WaitGroup

	mu sync.Mutex
	// calls remembers this run's image URLs, fetched or in flight, so a
	// photo shared by listings (a shop's banner, a placeholder) is asked
	// for once.
	calls map[string]*imageCall
	st    ImageStats
}

type imageCall struct {
	done chan struct{}
	hash domain.PHash
	ok   bool
}

// newImageStage returns nil unless the source fetches images and the
// Crawler has a hasher.
func newImageStage(r *run, hdr map[string]string) *imageStage {
	if !r.src.Images.Fetch || r.c.hasher == nil {
		return nil
	}
	limit := r.src.Images.MaxBytes
	if limit <= 0 {
		limit = DefaultImageMaxBytes
	}
	s := &imageStage{
		r: r, hasher: r.c.hasher, hdr: hdr, limit: min(limit, MaxImageMaxBytes),
		sem:   make(chan struct{}, max(2*r.src.Parallelism, 4)),
		calls: map[string]*imageCall{},
	}
	s.client = &http.Client{Transport: r.polite, CheckRedirect: s.checkRedirect}
	return s
}

func (s *imageStage) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errTooManyRedirects
	}
	if s.r.c.privateURL(req.Context(), req.URL) {
		return &errPrivateRedirect{host: req.URL.Host}
	}
	return nil
}

// wait returns when every batch has been emitted (or dropped with the run).
func (s *imageStage) wait() {
	if s != nil {
		s.wg.Wait()
	}
}

func (s *imageStage) stats() ImageStats {
	if s == nil {
		return ImageStats{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.Errors = maps.Clone(s.st.Errors)
	return st
}

// hashThenEmit hashes the listings' images, then emits the listings in
// their order, in a goroutine the stage owns.
func (s *imageStage) hashThenEmit(ls []domain.Listing, query string) {
	ls = slices.Clone(ls)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.hashAll(ls)
		s.r.emitAll(ls, query)
	}()
}

// hashAll sets ImageHash on every listing whose image could be hashed; the
// others keep 0.
func (s *imageStage) hashAll(ls []domain.Listing) {
	ctx := s.r.ctx
	var wg sync.WaitGroup
	defer wg.Wait()
	for i := range ls {
		if ls[i].ImageURL == "" {
			continue
		}
		if h, ok := s.r.c.imageCache.get(ls[i].ImageURL); ok {
			ls[i].ImageHash = h
			s.mu.Lock()
			s.st.Cached++
			s.mu.Unlock()
			continue
		}
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		wg.Add(1)
		go func(l *domain.Listing) {
			defer wg.Done()
			defer func() { <-s.sem }()
			l.ImageHash = s.lookup(ctx, l.ImageURL)
		}(&ls[i])
	}
}

// lookup returns the hash of the image at u, fetching it unless this run
// has already asked for it.
func (s *imageStage) lookup(ctx context.Context, u string) domain.PHash {
	s.mu.Lock()
	if call, ok := s.calls[u]; ok {
		s.mu.Unlock()
		select {
		case <-call.done:
		case <-ctx.Done():
			return 0
		}
		if call.ok {
			s.mu.Lock()
			s.st.Cached++
			s.mu.Unlock()
		}
		return call.hash
	}
	call := &imageCall{done: make(chan struct{})}
	s.calls[u] = call
	s.mu.Unlock()
	defer close(call.done)

	h, kind, err := s.fetch(ctx, u)
	if err != nil {
		if ctx.Err() != nil {
			return 0 // the run ended: not the image's fault
		}
		s.mu.Lock()
		s.st.Failed++
		if s.st.Errors == nil {
			s.st.Errors = map[string]int{}
		}
		s.st.Errors[kind]++
		s.mu.Unlock()
		s.r.c.log.Debug("fetching listing image", zap.String("source_id", s.r.src.ID), zap.String("url", u),
			zap.String("kind", kind), zap.Error(err))
		return 0
	}
	s.r.c.imageCache.put(u, h)
	call.hash, call.ok = h, true
	s.mu.Lock()
	s.st.Fetched++
	s.mu.Unlock()
	return h
}

// fetch gets one image within the run's politeness and hashes it; on
// failure it returns the kind to count.
func (s *imageStage) fetch(ctx context.Context, rawURL string) (domain.PHash, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, KindImageURL, errors.New("not an absolute http(s) URL")
	}
	ctx = withExchange(ctx, exchange{maxBody: s.limit, timeout: s.r.src.Timeout})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, KindImageURL, fmt.Errorf("building image request: %w", err)
	}
	// The source's headers (cookies, tokens) go to its own hosts only, not
	// to the image CDN of whoever the page names.
	if slices.Contains(s.r.src.Hosts(), u.Hostname()) {
		for k, v := range s.hdr {
			req.Header.Set(k, v)
		}
	}
	req.Header.Set("User-Agent", s.r.src.UserAgent)
	req.Header.Set("Accept", imageAccept)
	resp, err := s.client.Do(req)
	if err != nil {
		var priv *errPrivateRedirect
		if errors.As(err, &priv) {
			return 0, KindPrivate, err
		}
		return 0, classify(0, err), err
	}
	defer resp.Body.Close()
	if s.r.c.refusedRemote(resp.Header.Get(remoteAddrHeader)) {
		// Options.Transport dialled a private address the name check
		// did not foresee.
		return 0, KindPrivate, fmt.Errorf("refusing private address %s", resp.Header.Get(remoteAddrHeader))
	}
	if resp.StatusCode >= 400 {
		return 0, classify(resp.StatusCode, nil), fmt.Errorf("image answered HTTP %d", resp.StatusCode)
	}
	if resp.ContentLength > s.limit {
		return 0, KindTooLarge, fmt.Errorf("image of %d bytes, over images.max_bytes %d", resp.ContentLength, s.limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, s.limit+1))
	if err != nil {
		return 0, classify(0, err), fmt.Errorf("reading image: %w", err)
	}
	if int64(len(body)) > s.limit {
		return 0, KindTooLarge, fmt.Errorf("image over images.max_bytes %d", s.limit)
	}
	if !isImage(resp.Header.Get("Content-Type"), body) {
		return 0, KindContentType, fmt.Errorf("not an image: Content-Type %q, content looks like %s",
			resp.Header.Get(originalContentType), http.DetectContentType(body))
	}
	h, err := s.hasher.Hash(body)
	if err != nil {
		return 0, KindImageDecode, fmt.Errorf("hashing image: %w", err)
	}
	return h, "", nil
}

// isImage: the answer says image/*, or its bytes sniff as an image (a
// CDN that labels photos octet-stream or text/plain). An HTML error page
// served for a missing photo is neither.
func isImage(contentType string, body []byte) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	if strings.HasPrefix(mt, "image/") {
		return true
	}
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(body))
	return strings.HasPrefix(sniffed, "image/")
}
