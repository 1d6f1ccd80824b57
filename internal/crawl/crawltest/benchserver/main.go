// Command benchserver is the crawl benchmarks' marketplace in a process of
// its own (crawltest.ProcessServer): it serves crawltest.Handler's pages on
// a free loopback port and prints its base URL on the first line of stdout.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/markwatch/markwatch/internal/crawl/crawltest"
)

func main() {
	latency := flag.Duration("latency", 0, "how long each results page takes to answer")
	titles := flag.String("titles", `["六个核桃 核桃乳 240ml×20罐 整箱装"]`, "JSON array of the titles the cards cycle through")
	flag.Parse()
	if err := serve(*latency, *titles); err != nil {
		fmt.Fprintln(os.Stderr, "benchserver:", err)
		os.Exit(1)
	}
}

func serve(latency time.Duration, titlesJSON string) error {
	var titles []string
	if err := json.Unmarshal([]byte(titlesJSON), &titles); err != nil || len(titles) == 0 {
		return fmt.Errorf("reading -titles: want a non-empty JSON array of strings: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	// The benchmark holds our stdin open; when it ends, killed or not, the
	// pipe closes and we go with it instead of outliving it.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	fmt.Printf("http://%s\n", ln.Addr())
	h, _ := crawltest.Handler(titles, latency)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}
