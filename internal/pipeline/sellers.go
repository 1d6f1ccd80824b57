package pipeline

import (
	"context"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/seller"
)

// SellerRisks is the record of seller networks with confirmed alerts:
// every contact key (seller.Keys) of their sellers and the network's
// history. The store implements it.
type SellerRisks interface {
	SellerRisks(ctx context.Context) (map[domain.Contact]domain.SellerHistory, error)
}

// sellerRisks is one run's snapshot of SellerRisks, read once at run start:
// a confirmation during the run counts from the next run, and matching a
// listing costs map lookups, not queries. Nil means no seller signal.
type sellerRisks map[domain.Contact]domain.SellerHistory

// snapshotSellers reads the snapshot. A failure costs the run its seller
// signal, not the run: the title is still judged.
func (r *Runner) snapshotSellers(ctx context.Context, log *zap.Logger) sellerRisks {
	if r.Sellers == nil {
		return nil
	}
	m, err := r.Sellers.SellerRisks(ctx)
	if err != nil {
		log.Warn("reading seller networks failed; this run judges listings without their sellers' history", zap.Error(err))
		return nil
	}
	return m
}

// history sets l.SellerHistory to the strongest history among its
// seller's keys (most confirmed alerts; on a tie the first key, which is
// the shop's own name). A history already on the listing is kept unless
// the snapshot's is stronger.
func (s sellerRisks) history(l *domain.Listing) {
	if len(s) == 0 {
		return
	}
	var best *domain.SellerHistory
	for _, k := range seller.Keys(*l) {
		if h, ok := s[k]; ok && (best == nil || h.Confirmed > best.Confirmed) {
			best = &h
		}
	}
	if best != nil && (l.SellerHistory == nil || best.Confirmed > l.SellerHistory.Confirmed) {
		l.SellerHistory = best
	}
}
