package crawl

import (
	"fmt"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestImageCacheKeepsTheMostRecentlyUsed(t *testing.T) {
	c := newImageCache(2)
	a, b, d := "https://img14.360buyimg.com/n1/a.jpg", "https://img.alicdn.com/bao/b.jpg", "https://img.pddpic.com/d.jpeg"
	c.put(a, 0xa)
	c.put(b, 0xb)
	if h, ok := c.get(a); !ok || h != 0xa { // a is now the most recent
		t.Fatalf("get(a) = %v, %v", h, ok)
	}
	c.put(d, 0xd) // evicts b, the least recently used
	if _, ok := c.get(b); ok {
		t.Error("b survived: the cache evicted by insertion order, not use")
	}
	for url, want := range map[string]domain.PHash{a: 0xa, d: 0xd} {
		if h, ok := c.get(url); !ok || h != want {
			t.Errorf("get(%s) = %v, %v; want %v", url, h, ok, want)
		}
	}
	c.put(a, 0xaa) // an update is not a new entry
	if h, _ := c.get(a); h != 0xaa || c.len() != 2 {
		t.Errorf("after update: %v, %d entries", h, c.len())
	}
}

func TestImageCacheStaysBounded(t *testing.T) {
	c := newImageCache(0) // the default
	for i := range DefaultImageCacheSize + 500 {
		c.put(fmt.Sprintf("https://img.example.cn/%d.jpg", i), domain.PHash(i+1))
	}
	if c.len() != DefaultImageCacheSize {
		t.Fatalf("%d entries, want %d", c.len(), DefaultImageCacheSize)
	}
	if _, ok := c.get("https://img.example.cn/0.jpg"); ok {
		t.Error("the oldest entry survived")
	}
	if h, ok := c.get(fmt.Sprintf("https://img.example.cn/%d.jpg", DefaultImageCacheSize+499)); !ok || h != DefaultImageCacheSize+500 {
		t.Error("the newest entry is missing")
	}
}
