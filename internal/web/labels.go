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
	case "merge":
		return "合字"
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
	case "price":
		return "价格异常"
	case "image":
		return "图片近似"
	case "seller":
		return "卖家网络"
	}
	return t
}

// contactLabel names how two shops are linked, in the words the
// matcher's seller reasons use.
func contactLabel(k domain.ContactKind) string {
	switch k {
	case domain.ContactPhone:
		return "电话"
	case domain.ContactWeChat:
		return "微信"
	case domain.ContactQQ:
		return "QQ"
	case domain.ContactAddress:
		return "地址"
	case domain.ContactShop:
		return "店名"
	}
	return string(k)
}

// marketplaceLabel names a marketplace the way supervisors do; an unknown
// platform (a source's own id) is shown as it is.
func marketplaceLabel(p string) string {
	switch p {
	case "taobao":
		return "淘宝"
	case "tmall":
		return "天猫"
	case "pinduoduo":
		return "拼多多"
	case "jd":
		return "京东"
	case "1688":
		return "1688"
	case "douyin":
		return "抖音"
	case "kuaishou":
		return "快手"
	case "xianyu":
		return "闲鱼"
	}
	return p
}

func parseStatus(s string) (domain.AlertStatus, bool) {
	switch st := domain.AlertStatus(s); st {
	case domain.AlertOpen, domain.AlertConfirmed, domain.AlertDismissed:
		return st, true
	}
	return "", false
}

// channelLabel names a delivery channel.
func channelLabel(ch domain.Channel) string {
	switch ch {
	case domain.ChannelEmail:
		return "电子邮件 E-mail"
	case domain.ChannelWebhook:
		return "Webhook"
	case domain.ChannelDingTalk:
		return "钉钉机器人 DingTalk"
	case domain.ChannelWeCom:
		return "企业微信机器人 WeCom"
	}
	return string(ch)
}

// modeLabel names when a subscription's messages go out.
func modeLabel(m domain.DeliveryMode) string {
	switch m {
	case domain.DeliverImmediate:
		return "即时 Immediate"
	case domain.DeliverDaily:
		return "每日摘要 Daily digest"
	case domain.DeliverWeekly:
		return "每周摘要 Weekly digest"
	}
	return string(m)
}

// eventLabel names what a subscriber is told about.
func eventLabel(e string) string {
	switch e {
	case domain.EventAlert:
		return "新告警 New alert"
	case domain.EventStatus:
		return "状态变更 Status change"
	}
	return e
}

// weekdayLabel names a weekday, 0 being Sunday like time.Weekday.
func weekdayLabel(d int) string {
	names := [...]string{"周日 Sun", "周一 Mon", "周二 Tue", "周三 Wed", "周四 Thu", "周五 Fri", "周六 Sat"}
	if d < 0 || d >= len(names) {
		return ""
	}
	return names[d]
}

// notificationLabel names where one delivery stands.
func notificationLabel(s domain.NotificationState) string {
	switch s {
	case domain.NotifyPending:
		return "待发送 Pending"
	case domain.NotifySent:
		return "已发送 Sent"
	case domain.NotifyFailed:
		return "发送失败 Failed"
	case domain.NotifyCancelled:
		return "已取消 Cancelled"
	}
	return string(s)
}

// claimLabel names where a seller claim stands.
func claimLabel(s domain.SellerClaimStatus) string {
	switch s {
	case domain.ClaimPending:
		return "待审核 Pending"
	case domain.ClaimAccepted:
		return "已认可 Accepted"
	case domain.ClaimRejected:
		return "已拒绝 Rejected"
	}
	return string(s)
}

// auditLabel names an audit action; an unknown one shows as it is, so a
// new action never disappears from the log.
func auditLabel(action string) string {
	switch action {
	case domain.AuditAlertReview:
		return "审核告警"
	case domain.AuditSourceSchedule:
		return "修改计划"
	case domain.AuditSourcePause:
		return "暂停来源"
	case domain.AuditSourceResume:
		return "恢复来源"
	case domain.AuditSourceRun:
		return "立即运行"
	case domain.AuditUserAdd:
		return "添加用户"
	case domain.AuditUserDisable:
		return "停用用户"
	case domain.AuditUserEnable:
		return "启用用户"
	case domain.AuditUserPassword:
		return "修改密码"
	case domain.AuditTokenCreate:
		return "创建令牌"
	case domain.AuditTokenRevoke:
		return "吊销令牌"
	case domain.AuditSubscriptionCreate:
		return "新建订阅"
	case domain.AuditSubscriptionUpdate:
		return "修改订阅"
	case domain.AuditSubscriptionDelete:
		return "删除订阅"
	case domain.AuditSellerClaim:
		return "申报授权经销商"
	case domain.AuditSellerDecide:
		return "审核授权经销商"
	case domain.AuditLogin:
		return "登录"
	case domain.AuditLogout:
		return "退出"
	}
	return action
}
