package crawl

import (
	"container/list"
	"sync"

	"github.com/markwatch/markwatch/internal/domain"
)

// DefaultImageCacheSize is how many image hashes a Crawler remembers. A
// marketplace shows the same listing, with the same photo URL, run after
// run; 20,000 entries hold several days of a source's listings in a few MB.
const DefaultImageCacheSize = 20_000

// imageCache is a bounded LRU of image URL → hash. It lives in the Crawler,
// which outlives runs in the daemon, so a photo is fetched once, not on
// every run that sees its listing again. Only successes are kept: a failed
// image may be served next time.
type imageCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recently used; values are *imageEntry
	byURL map[string]*list.Element
}

type imageEntry struct {
	url  string
	hash domain.PHash
}

func newImageCache(max int) *imageCache {
	if max <= 0 {
		max = DefaultImageCacheSize
	}
	return &imageCache{max: max, order: list.New(), byURL: map[string]*list.Element{}}
}

func (c *imageCache) get(url string) (domain.PHash, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byURL[url]
	if !ok {
		return 0, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*imageEntry).hash, true
}

func (c *imageCache) put(url string, h domain.PHash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byURL[url]; ok {
		e.Value.(*imageEntry).hash = h
		c.order.MoveToFront(e)
		return
	}
	c.byURL[url] = c.order.PushFront(&imageEntry{url: url, hash: h})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byURL, last.Value.(*imageEntry).url)
	}
}

func (c *imageCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
