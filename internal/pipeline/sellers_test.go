package pipeline

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// fakeSellers is SellerRisks with a fixed answer, counting its calls.
type fakeSellers struct {
	mu    sync.Mutex
	risks map[domain.Contact]domain.SellerHistory
	err   error
	calls int
}

func (f *fakeSellers) SellerRisks(context.Context) (map[domain.Contact]domain.SellerHistory, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.risks, f.err
}

// historyMatcher is keywordMatcher that notes the seller history each
// listing had when it was matched.
type historyMatcher struct {
	mu   sync.Mutex
	seen map[string]*domain.SellerHistory
}

func (m *historyMatcher) Match(l domain.Listing) []domain.Match {
	m.mu.Lock()
	m.seen[l.URL] = l.SellerHistory
	m.mu.Unlock()
	return keywordMatcher{}.Match(l)
}

func TestRunSetsStrongestSellerHistory(t *testing.T) {
	shop := domain.Contact{Kind: domain.ContactShop, Value: "鑫旺食品"}
	phone := domain.Contact{Kind: domain.ContactPhone, Value: "13812345678"}
	qq := domain.Contact{Kind: domain.ContactQQ, Value: "2857331900"}
	sellers := &fakeSellers{risks: map[domain.Contact]domain.SellerHistory{
		shop:  {NetworkID: 1, Confirmed: 2},
		phone: {NetworkID: 1, Confirmed: 2, Via: "电话 138****5678 与 鑫旺食品专营店"},
		qq:    {NetworkID: 9, Confirmed: 5, Via: "QQ 2857331900 与 临沂酒水批发部"},
	}}
	ls := []domain.Listing{
		// The confirmed shop itself, on another platform: its own name.
		{Title: "六个核桅 核桃乳", URL: "http://m.test/1", Seller: "鑫旺食品旗舰店", Contacts: []domain.Contact{phone}},
		// Linked by phone only.
		{Title: "六个核桅 核桃乳", URL: "http://m.test/2", Seller: "老王副食批发部", Contacts: []domain.Contact{phone}},
		// In two networks' reach: the one with more confirmed alerts wins.
		{Title: "六个核桅 核桃乳", URL: "http://m.test/3", Seller: "鑫旺食品专营店", Contacts: []domain.Contact{qq}},
		// Nothing known.
		{Title: "六个核桅 核桃乳", URL: "http://m.test/4", Seller: "好运来商行"},
		// A history the crawler set that is stronger stays.
		{Title: "六个核桅 核桃乳", URL: "http://m.test/5", Seller: "鑫旺食品专营店", SellerHistory: &domain.SellerHistory{Confirmed: 7}},
	}
	m := &historyMatcher{seen: map[string]*domain.SellerHistory{}}
	st := &memStore{alerts: map[string]bool{}}
	r := newRunner(fakeCrawler{listings: ls}, st, &alertRecorder{})
	r.Matcher = m
	r.Sellers = sellers
	if _, err := r.Run(context.Background(), "demo"); err != nil {
		t.Fatal(err)
	}
	for url, want := range map[string]*domain.SellerHistory{
		"http://m.test/1": {NetworkID: 1, Confirmed: 2},
		"http://m.test/2": {NetworkID: 1, Confirmed: 2, Via: "电话 138****5678 与 鑫旺食品专营店"},
		"http://m.test/3": {NetworkID: 9, Confirmed: 5, Via: "QQ 2857331900 与 临沂酒水批发部"},
		"http://m.test/4": nil,
		"http://m.test/5": {Confirmed: 7},
	} {
		got := m.seen[url]
		if (got == nil) != (want == nil) || (got != nil && *got != *want) {
			t.Errorf("%s matched with seller history %+v, want %+v", url, got, want)
		}
	}
	if sellers.calls != 1 {
		t.Errorf("SellerRisks read %d times in one run, want once at its start", sellers.calls)
	}
	for _, it := range st.items {
		if it.Listing.URL == "http://m.test/2" && (it.Listing.SellerHistory == nil || it.Listing.SellerHistory.Confirmed != 2) {
			t.Errorf("stored listing lost its seller history: %+v", it.Listing.SellerHistory)
		}
	}
}

func TestRunWithoutSellerSignal(t *testing.T) {
	ls := []domain.Listing{{Title: "六个核桅 核桃乳", URL: "http://m.test/1", Seller: "鑫旺食品专营店"}}
	for name, s := range map[string]SellerRisks{
		"nil":    nil,
		"failed": &fakeSellers{err: errors.New("database is locked")},
	} {
		t.Run(name, func(t *testing.T) {
			m := &historyMatcher{seen: map[string]*domain.SellerHistory{}}
			r := newRunner(fakeCrawler{listings: ls}, &memStore{alerts: map[string]bool{}}, &alertRecorder{})
			r.Matcher = m
			r.Sellers = s
			run, err := r.Run(context.Background(), "demo")
			if err != nil || run.Status != domain.RunSucceeded || run.Hits != 1 {
				t.Fatalf("run = %+v, %v; want it to succeed without the seller signal", run, err)
			}
			if h, ok := m.seen["http://m.test/1"]; !ok || h != nil {
				t.Errorf("listing matched with history %+v (seen %v), want none", h, ok)
			}
		})
	}
}
