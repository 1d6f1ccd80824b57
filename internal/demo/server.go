package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// DefaultAddr is where `make run` serves the demo marketplace; the shipped
// config/sources/demo.yaml points at it.
const DefaultAddr = "127.0.0.1:8089"

// Options configure the demo marketplace.
type Options struct {
	// Addr to listen on; "" means 127.0.0.1:0 (a free port, for tests).
	Addr string
	Log  *zap.Logger
	// PageSize is the number of results per page; 0 means 10.
	PageSize int
	// MinResults pads short result lists with unrelated goods; 0 means 24,
	// enough for three pages.
	MinResults int
}

// Server is the demo marketplace. Start it once; Close stops it and waits
// for its goroutine.
type Server struct {
	opts       Options
	byPlatform map[string][]Item
	byID       map[int]Item

	layout atomic.Int32 // a Layout; switched while serving

	mu   sync.Mutex
	srv  *http.Server
	done chan error
}

// NewServer returns a server that is not yet listening.
func NewServer(opts Options) *Server {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 10
	}
	if opts.MinResults <= 0 {
		opts.MinResults = 24
	}
	items := catalogue()
	byID := make(map[int]Item, len(items))
	byPlatform := map[string][]Item{}
	for _, it := range items {
		byID[it.ID] = it
		byPlatform[it.Platform] = append(byPlatform[it.Platform], it)
	}
	return &Server{opts: opts, byPlatform: byPlatform, byID: byID}
}

// Layout is the markup of the result pages. Marketplaces redesign their
// pages without notice; switching the demo's layout between crawls lets a
// test see that the crawler notices (the run is degraded, the selectors that
// stopped matching are named) and still finds the listings.
type Layout int32

const (
	// LayoutClassic is the markup config/sources/demo.yaml was written for.
	LayoutClassic Layout = iota
	// LayoutCards serves the same items as a grid of cards with other class
	// names: the source's item selector matches nothing.
	LayoutCards
	// LayoutShopRenamed keeps the classic list but renames the shop link's
	// class: every listing loses its seller.
	LayoutShopRenamed
)

// SetLayout switches the markup of the result pages from the next request
// on. Safe while serving.
func (s *Server) SetLayout(l Layout) { s.layout.Store(int32(l)) }

// Layout returns the markup the result pages are served in.
func (s *Server) Layout() Layout { return Layout(s.layout.Load()) }

// Items returns the catalogue of every platform (Item.Platform says
// which), for tests that check what a crawl found.
func (s *Server) Items() []Item { return catalogue() }

// Start listens and serves in a goroutine owned by the Server. It returns the
// base URL, e.g. http://127.0.0.1:8089.
func (s *Server) Start() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return "", errors.New("starting demo marketplace: already started")
	}
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return "", fmt.Errorf("starting demo marketplace on %s: %w", s.opts.Addr, err)
	}
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	s.done = make(chan error, 1)
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	base := "http://" + ln.Addr().String()
	s.opts.Log.Info("demo marketplace listening", zap.String("url", base))
	return base, nil
}

// Close shuts the server down, giving open requests a moment to finish, and
// waits for the serving goroutine.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shutdownErr := s.srv.Shutdown(ctx)
	serveErr := <-s.done
	s.srv = nil
	if shutdownErr != nil {
		return fmt.Errorf("stopping demo marketplace: %w", shutdownErr)
	}
	if serveErr != nil {
		return fmt.Errorf("serving demo marketplace: %w", serveErr)
	}
	return nil
}
