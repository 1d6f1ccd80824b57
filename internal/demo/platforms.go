package demo

// The demo platforms, by the platform id of the source definition that
// reads each (config/sources/demo*.yaml). One server serves them all, the
// small ones under a path prefix, so the daemon's demo crawler reaches all
// three at one loopback address.
const (
	PlatformMain    = "demo"         // 冀货通, at /
	PlatformPifa    = "demo-pifa"    // 燕赵批发网, a wholesale site that prints shops' phones on its cards, at /pifa
	PlatformYouxuan = "demo-youxuan" // 京津冀优选, at /youxuan
)

// Platform is one demo marketplace.
type Platform struct {
	ID     string
	Name   string
	Prefix string // path prefix of its pages: "" or "/pifa"
	// CardContacts prints the shop's phone on each result card, as
	// wholesale sites do; the others show contacts on listing and shop
	// pages only.
	CardContacts bool
	// NoCardLocation leaves the seller's location off the result cards, as
	// JD does: a crawler reads it, and the shop's contacts beside it, from
	// the listing's own page.
	NoCardLocation bool
}

func platforms() []Platform {
	return []Platform{
		{ID: PlatformMain, Name: "冀货通"},
		{ID: PlatformPifa, Name: "燕赵批发网", Prefix: "/pifa", CardContacts: true},
		{ID: PlatformYouxuan, Name: "京津冀优选", Prefix: "/youxuan", NoCardLocation: true},
	}
}

// Platforms returns the demo platforms, for tests that crawl each.
func Platforms() []Platform { return platforms() }

// Shop is what a shop's pages say about how to reach it, written as the
// shop wrote it: the same phone number appears as 138 1234 5678,
// 13812345678 and +86 138-1234-5678, a WeChat id in either case.
type Shop struct {
	Name    string
	Phone   string
	WeChat  string
	Address string
	// Promo is a line the shop slips into its result cards, the way
	// counterfeit sellers steer buyers off the platform (加微信 …).
	Promo string
}

// The counterfeit ring: three shops, one on each platform, under three
// names, reachable at one phone number; the first and the third also give
// one WeChat id. A crawler finds them where each platform shows them: the
// main shop's WeChat in its cards' promo line, the wholesale shop's phone
// on its cards, the third shop's on its listing pages (fetched for the
// location its cards lack); every listing and shop page shows them all. Supervisors confirming one shop's look-alike is what
// makes the others' plain-name listings suspect.
const (
	ringShopMain    = "鑫旺食品专营店"
	ringShopPifa    = "旺鑫副食批发部"
	ringShopYouxuan = "鑫旺百货商行"
	// RingPhone is the ring's phone number, normalised (digits only).
	RingPhone = "13812345678"
	// RingWeChat is the ring's WeChat id, normalised (lower case).
	RingWeChat = "xinwang_888"
)

// RingShops are the ring's shops by platform.
func RingShops() map[string]string {
	return map[string]string{PlatformMain: ringShopMain, PlatformPifa: ringShopPifa, PlatformYouxuan: ringShopYouxuan}
}

// shops lists the shops whose pages give contacts. The ring's share theirs;
// the others' are their own, so contacts alone link nobody else.
func shops() []Shop {
	return []Shop{
		{Name: ringShopMain, Phone: "138 1234 5678", WeChat: "xinwang_888", Promo: "批发代理 加微信 xinwang_888"},
		{Name: ringShopPifa, Phone: "13812345678", Address: "河南省周口市川汇区七一路副食品批发市场B区12号"},
		{Name: ringShopYouxuan, Phone: "+86 138-1234-5678", WeChat: "XinWang_888"},
		{Name: "好运来食品商行", Phone: "139 0000 1111"},
		{Name: "惠购食品折扣店", WeChat: "huigou_2024"},
		{Name: "饮品批发站", Phone: "158 0000 2222", Address: "河北省石家庄市桥西区南二环西路食品城3排8号"},
		{Name: "涉县太行山核桃专业合作社", Phone: "0310-3800001"},
	}
}

// shopByName returns the shop's contacts, the zero Shop (name only) when
// its pages give none.
func shopByName(name string) Shop {
	for _, s := range shops() {
		if s.Name == name {
			return s
		}
	}
	return Shop{Name: name}
}

// pifaCatalogue is the wholesale platform's goods: the ring's shop and a
// few ordinary wholesalers.
func pifaCatalogue() []Item {
	return []Item{
		{Title: "六个核桃 核桃乳 240ml*24罐 整箱 批发", Price: 62.0, Seller: ringShopPifa, Location: "河南 周口", Kind: KindCounterfeit, Signal: SignalSeller},
		{Title: "衡水老百干 白酒 67度 500ml*6瓶 整箱 批发", Price: 168.0, Seller: ringShopPifa, Location: "河南 周口", Kind: KindLookalike, Signal: SignalSeller},
		{Title: "康师傅 冰红茶 500ml*15瓶 整箱 批发", Price: 38.0, Seller: "饮品批发站", Location: "河北 石家庄", Kind: KindUnrelated},
		{Title: "农夫山泉 饮用天然水 550ml*24瓶 批发", Price: 26.0, Seller: "饮品批发站", Location: "河北 石家庄", Kind: KindUnrelated},
		{Title: "金龙鱼 大豆油 5L 整箱 批发", Price: 62.0, Seller: "粮油批发中心", Location: "河南 周口", Kind: KindUnrelated},
		{Title: "卫龙 大面筋 辣条 整箱 批发 40包", Price: 55.0, Seller: "零食批发城", Location: "河南 漯河", Kind: KindUnrelated},
	}
}

// youxuanCatalogue is the third platform's goods: the ring's shop beside
// the genuine 露露 store and ordinary goods.
func youxuanCatalogue() []Item {
	return []Item{
		{Title: "衡水老白干 67度 500ml 高度白酒 送礼", Price: 88.0, Seller: ringShopYouxuan, Location: "山东 临沂", Kind: KindCounterfeit, Signal: SignalSeller},
		{Title: "承德露露 杏仁露 240ml*20罐 整箱", Price: 58.0, Seller: ringShopYouxuan, Location: "山东 临沂", Kind: KindCounterfeit, Signal: SignalSeller},
		{Title: "承德露露 杏仁露 240ml*20罐 整箱 年货", Price: 62.0, Seller: "承德露露官方旗舰店", Location: "河北 承德", Kind: KindGenuine},
		{Title: "伊利 纯牛奶 250ml*24盒 整箱", Price: 59.9, Seller: "伊利官方旗舰店", Location: "内蒙古 呼和浩特", Kind: KindUnrelated},
		{Title: "三只松鼠 每日坚果 750g/30袋", Price: 89.0, Seller: "三只松鼠旗舰店", Location: "安徽 芜湖", Kind: KindUnrelated},
		{Title: "稻香村 月饼礼盒 中秋送礼 1kg", Price: 98.0, Seller: "稻香村食品旗舰店", Location: "北京 北京", Kind: KindUnrelated},
	}
}
