// Package cases holds the rules of enforcement cases (案件) that need no
// store: which status may follow which, the jurisdiction read from the
// sellers' locations, and the takedown notices filled in for the platforms'
// IP-protection portals. It does no I/O.
package cases

import (
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// statusLabels are the statuses' names as the console and the packet show them.
var statusLabels = map[domain.CaseStatus]string{
	domain.CaseOpen:          "已立案",
	domain.CaseInvestigating: "调查中",
	domain.CaseNoticeSent:    "已发通知",
	domain.CaseRemoved:       "已下架",
	domain.CaseClosed:        "已结案",
}

// StatusLabel returns a status's Chinese name, or the status itself when it
// is not one of the known ones.
func StatusLabel(s domain.CaseStatus) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

// ValidStatus reports whether s is one of the known case statuses.
func ValidStatus(s domain.CaseStatus) bool {
	_, ok := statusLabels[s]
	return ok
}

// Next returns the statuses a case in from may move to, in workflow order:
// open → investigating → notice_sent → removed → closed, a closed case
// reopens to investigating, and any case that is not closed may be closed.
func Next(from domain.CaseStatus) []domain.CaseStatus {
	switch from {
	case domain.CaseOpen:
		return []domain.CaseStatus{domain.CaseInvestigating, domain.CaseClosed}
	case domain.CaseInvestigating:
		return []domain.CaseStatus{domain.CaseNoticeSent, domain.CaseClosed}
	case domain.CaseNoticeSent:
		return []domain.CaseStatus{domain.CaseRemoved, domain.CaseClosed}
	case domain.CaseRemoved:
		return []domain.CaseStatus{domain.CaseClosed}
	case domain.CaseClosed:
		return []domain.CaseStatus{domain.CaseInvestigating}
	}
	return nil
}

// Transition checks that a case may move from one status to another. The
// refusal is an EINVALID error whose message says, in Chinese and then in
// English, what the case may move to instead.
func Transition(from, to domain.CaseStatus) error {
	if !ValidStatus(from) {
		return domain.Errorf(domain.EINVALID, "未知的案件状态 %q / unknown case status %q", from, from)
	}
	if !ValidStatus(to) {
		return domain.Errorf(domain.EINVALID, "未知的案件状态 %q，可选：%s / unknown case status %q; known: %s",
			to, labels(allStatuses()), to, names(allStatuses()))
	}
	next := Next(from)
	if from == to {
		return domain.Errorf(domain.EINVALID, "案件已是「%s」状态，可变为：%s / the case is already %s; it may move to: %s",
			StatusLabel(from), labels(next), from, names(next))
	}
	for _, s := range next {
		if s == to {
			return nil
		}
	}
	return domain.Errorf(domain.EINVALID, "案件状态不能从「%s」变为「%s」，可变为：%s / a case cannot move from %s to %s; it may move to: %s",
		StatusLabel(from), StatusLabel(to), labels(next), from, to, names(next))
}

func allStatuses() []domain.CaseStatus {
	return []domain.CaseStatus{domain.CaseOpen, domain.CaseInvestigating, domain.CaseNoticeSent, domain.CaseRemoved, domain.CaseClosed}
}

func labels(ss []domain.CaseStatus) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "「" + StatusLabel(s) + "」"
	}
	return strings.Join(out, "、")
}

func names(ss []domain.CaseStatus) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}
