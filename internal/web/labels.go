package web

import "github.com/markwatch/markwatch/internal/domain"

// kindLabel names a mark's legal kind the way supervisors' documents do.
func kindLabel(k domain.MarkKind) string {
	switch k {
	case domain.KindTrademark:
		return "商标"
	case domain.KindTimeHonoured:
		return "中华老字号"
	case domain.KindGI:
		return "地理标志"
	}
	return string(k)
}

// statusLabel names a review status in Chinese.
func statusLabel(s domain.AlertStatus) string {
	switch s {
	case domain.AlertOpen:
		return "待审核"
	case domain.AlertConfirmed:
		return "已确认侵权"
	case domain.AlertDismissed:
		return "已驳回"
	}
	return string(s)
}

// actionLabel is the button that moves an alert to s.
func actionLabel(s domain.AlertStatus) string {
	switch s {
	case domain.AlertConfirmed:
		return "确认侵权"
	case domain.AlertDismissed:
		return "驳回"
	case domain.AlertOpen:
		return "重新打开"
	}
	return string(s)
}

// actionsFrom lists the reviews offered for an alert in status s: an open
// alert can be confirmed or dismissed, a decided one reopened.
func actionsFrom(s domain.AlertStatus) []domain.AlertStatus {
	if s == domain.AlertOpen {
		return []domain.AlertStatus{domain.AlertConfirmed, domain.AlertDismissed}
	}
	return []domain.AlertStatus{domain.AlertOpen}
}

// tacticLabel names the matcher's tactics (domain.Reason.Tactic) in the
// terms of 音/形/义 review; an unknown tactic is shown as it is, so a new
// matcher tactic never disappears from the evidence.
func tacticLabel(t string) string {
	switch t {
	case "sound":
		return "音近"
	case "shape":
		return "形近"
	case "split":
		return "拆字"
	case "deletion":
		return "缺字"
	case "insertion":
		return "插字"
	case "reorder":
		return "颠倒"
	case "swap":
		return "换字"
	case "script":
		return "繁体/异体"
	case "latin":
		return "拼音/字母"
	case "symbols":
		return "符号间隔"
	case "counterfeit":
		return "假冒用语"
	case "gi-origin":
		return "产地不符"
	case "gi-qualifier":
		return "产地限定词"
	case "exact":
		return "名称相同"
	case "context":
		return "情境"
	}
	return t
}

func parseStatus(s string) (domain.AlertStatus, bool) {
	switch st := domain.AlertStatus(s); st {
	case domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed:
		return st, true
	}
	return "", false
}
