package cases_test

import (
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/cases"
	"github.com/markwatch/markwatch/internal/domain"
)

func TestTransition(t *testing.T) {
	const (
		open   = domain.CaseOpen
		inv    = domain.CaseInvestigating
		sent   = domain.CaseNoticeSent
		rem    = domain.CaseRemoved
		closed = domain.CaseClosed
	)
	tests := []struct {
		from, to domain.CaseStatus
		ok       bool
		want     []string // in the refusal's message
	}{
		{open, inv, true, nil},
		{inv, sent, true, nil},
		{sent, rem, true, nil},
		{rem, closed, true, nil},
		{closed, inv, true, nil}, // reopen
		{open, closed, true, nil},
		{inv, closed, true, nil},
		{sent, closed, true, nil},
		{open, sent, false, []string{"不能从「已立案」变为「已发通知」", "可变为：「调查中」、「已结案」", "cannot move from open to notice_sent", "investigating, closed"}},
		{open, rem, false, []string{"「已下架」", "open to removed"}},
		{inv, rem, false, []string{"可变为：「已发通知」、「已结案」", "notice_sent, closed"}},
		{rem, sent, false, []string{"可变为：「已结案」", "may move to: closed"}},
		{sent, inv, false, []string{"removed, closed"}},
		{closed, open, false, []string{"可变为：「调查中」", "may move to: investigating"}},
		{closed, rem, false, []string{"closed to removed"}},
		{open, open, false, []string{"案件已是「已立案」状态", "already open"}},
		{closed, closed, false, []string{"already closed", "investigating"}},
		{open, "archived", false, []string{"未知的案件状态", "unknown case status \"archived\"", "open, investigating, notice_sent, removed, closed"}},
		{"", inv, false, []string{"unknown case status"}},
	}
	for _, tt := range tests {
		err := cases.Transition(tt.from, tt.to)
		if tt.ok {
			if err != nil {
				t.Errorf("Transition(%s, %s) = %v, want nil", tt.from, tt.to, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("Transition(%s, %s) = nil, want a refusal", tt.from, tt.to)
			continue
		}
		if code := domain.ErrorCode(err); code != domain.EINVALID {
			t.Errorf("Transition(%s, %s) code %s, want %s", tt.from, tt.to, code, domain.EINVALID)
		}
		msg := domain.ErrorMessage(err)
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("Transition(%s, %s) = %q, want it to contain %q", tt.from, tt.to, msg, w)
			}
		}
		// Chinese first, then English.
		if zh, en := strings.Index(msg, "案件"), strings.Index(msg, " / "); zh < 0 || en < zh {
			t.Errorf("Transition(%s, %s) = %q: want Chinese, then \" / \" and English", tt.from, tt.to, msg)
		}
	}
}

// Every status Next offers is accepted by Transition, and nothing else is.
func TestNextAgreesWithTransition(t *testing.T) {
	all := []domain.CaseStatus{domain.CaseOpen, domain.CaseInvestigating, domain.CaseNoticeSent, domain.CaseRemoved, domain.CaseClosed}
	for _, from := range all {
		next := cases.Next(from)
		for _, to := range all {
			allowed := false
			for _, n := range next {
				allowed = allowed || n == to
			}
			if got := cases.Transition(from, to) == nil; got != allowed {
				t.Errorf("%s → %s: Transition ok=%v, Next says %v", from, to, got, allowed)
			}
		}
	}
}

func TestJurisdiction(t *testing.T) {
	loc := func(ls ...string) []domain.Alert {
		out := make([]domain.Alert, len(ls))
		for i, l := range ls {
			out[i] = domain.Alert{ID: int64(i + 1), Location: l}
		}
		return out
	}
	tests := []struct {
		name   string
		alerts []domain.Alert
		want   string
	}{
		{"one seller", loc("河北 石家庄"), "河北 石家庄"},
		{"same city", loc("河北 石家庄", "河北 石家庄"), "河北 石家庄"},
		{"two cities of a province", loc("河北 石家庄", "河北 保定"), "河北"},
		{"three cities", loc("河北 唐山", "河北 保定", "河北 衡水"), "河北"},
		{"two provinces", loc("河北 石家庄", "山东 临沂"), ""},
		{"province suffixes", loc("河北省 石家庄市", "河北 石家庄"), "河北 石家庄"},
		{"municipality written twice", loc("北京 北京", "北京"), "北京"},
		{"district level", loc("河北 石家庄 长安区", "河北 石家庄 桥西区"), "河北 石家庄"},
		{"autonomous region", loc("广西壮族自治区 南宁市", "广西 柳州"), "广西"},
		{"ideographic space", loc("河北\u3000保定", "河北 保定"), "河北 保定"},
		{"unknown locations do not count", loc("", "河北 沧州", "  "), "河北 沧州"},
		{"no location at all", loc("", ""), ""},
		{"no alerts", nil, ""},
		{"short names keep their suffix", loc("湖北 沙市", "湖北 沙市"), "湖北 沙市"},
		{"a mismatch later ends it", loc("河北 石家庄", "河北 石家庄", "浙江 金华"), ""},
	}
	for _, tt := range tests {
		if got := cases.Jurisdiction(tt.alerts); got != tt.want {
			t.Errorf("%s: Jurisdiction = %q, want %q", tt.name, got, tt.want)
		}
	}
}
