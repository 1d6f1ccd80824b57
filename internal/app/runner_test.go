package app

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/match"
)

// TestMemoizedFollowsMatcherSwap holds the wiring the daemon and the
// pipeline benchmark share (memoized, in runner.go): a memo answers for the
// matcher the daemon holds now, so after a registry rebuild (an accepted
// seller) no verdict of the old one is served.
func TestMemoizedFollowsMatcherSwap(t *testing.T) {
	marks, before, err := buildMatcher("", 0)
	if err != nil {
		t.Fatal(err)
	}
	l := domain.Listing{Title: "六个核桃 核桃乳 240ml*20罐 整箱 植物蛋白饮料", Seller: "鑫源副食批发部", Location: "河南 周口", Price: 39.9}
	after, err := match.New(withAcceptedSellers(marks, map[string][]string{"liugehetao": {l.Seller}}), match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantBefore, wantAfter := before.Match(l), after.Match(l)
	if reflect.DeepEqual(wantBefore, wantAfter) {
		t.Fatalf("accepting %s does not change %q's verdict (%+v); the test needs one that does", l.Seller, l.Title, wantBefore)
	}

	var swap swapMatcher
	swap.p.Store(before)
	m := memoized(&swap)
	for range 2 { // matched, then remembered
		if got := m.Match(l); !reflect.DeepEqual(got, wantBefore) {
			t.Fatalf("before the rebuild: %+v, want %+v", got, wantBefore)
		}
	}
	swap.p.Store(after)
	for range 2 {
		if got := m.Match(l); !reflect.DeepEqual(got, wantAfter) {
			t.Fatalf("after the rebuild: %+v, want the new matcher's %+v", got, wantAfter)
		}
	}

	// swapping while crawl goroutines match: every answer is one of the
	// two matchers', and once the swapping stops, the last one's
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if got := m.Match(l); !reflect.DeepEqual(got, wantBefore) && !reflect.DeepEqual(got, wantAfter) {
					errs <- fmt.Sprintf("while swapping: %+v is neither matcher's", got)
					return
				}
			}
		})
	}
	for i := range 200 {
		if i%2 == 0 {
			swap.p.Store(before)
		} else {
			swap.p.Store(after)
		}
		time.Sleep(100 * time.Microsecond)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := m.Match(l); !reflect.DeepEqual(got, wantAfter) {
		t.Fatalf("after the swapping: %+v, want the last matcher's %+v", got, wantAfter)
	}

	if _, ok := memoized(before).(*match.Memo); !ok {
		t.Errorf("a plain matcher (the crawl command's) is not memoised")
	}
}
