package demo

// Kind says what a catalogue entry is meant to exercise downstream.
type Kind string

const (
	KindLookalike Kind = "lookalike" // imitates a protected name or sells a GI from outside its area
	KindGenuine   Kind = "genuine"   // the owner, an authorised seller, or a GI from inside its area
	KindUnrelated Kind = "unrelated" // ordinary goods; must not raise alerts
	// KindCounterfeit names the mark plainly, or only its goods: the title
	// alone is no alert, a signal beyond it (Item.Signal) gives it away.
	KindCounterfeit Kind = "counterfeit"
)

// Signal is the evidence beyond the title a listing carries, named as the
// matcher's tactic for it (docs/SIGNALS.md).
type Signal string

const (
	SignalPrice  Signal = "price"  // far below the mark's genuine price for what it holds
	SignalImage  Signal = "image"  // its photo is a copy of a mark's reference image
	SignalSeller Signal = "seller" // its shop shares a phone or WeChat id with the ring's other shops
)

// Item is one listing of the demo marketplace.
type Item struct {
	ID       int
	Platform string // the demo platform it is listed on (PlatformMain, PlatformPifa, PlatformYouxuan)
	Title    string
	Price    float64
	Seller   string
	Location string // "省 市", as marketplaces show seller location
	Kind     Kind
	Signal   Signal // "" for a listing with nothing beyond its title
	// Photo is the reference image (config/marks/images/<Photo>.png) the
	// listing's photo copies, resized, recompressed and watermarked; ""
	// for an ordinary photo that resembles no mark's packaging.
	Photo string
}

// catalogue returns the goods of every demo platform: the main
// marketplace's, then the two small platforms' the counterfeit ring also
// sells on.
func catalogue() []Item {
	items := mainCatalogue()
	for i := range items {
		items[i].ID = 1001 + i
		items[i].Platform = PlatformMain
	}
	for _, p := range []struct {
		id    string
		first int
		items []Item
	}{{PlatformPifa, 2001, pifaCatalogue()}, {PlatformYouxuan, 3001, youxuanCatalogue()}} {
		for i := range p.items {
			p.items[i].ID = p.first + i
			p.items[i].Platform = p.id
		}
		items = append(items, p.items...)
	}
	return items
}

// mainCatalogue returns the main demo marketplace's goods. The titles are written for
// this demo in the style of Chinese marketplace listings; the look-alikes use
// the tactics counterfeiters use: a sound-alike character (陆/六, 郞/郎), a
// shape-alike one (迂/迁, 核/桄), an inserted word, traditional script, split
// names, and GI products sold from outside the protected area.
func mainCatalogue() []Item {
	return []Item{
		// 六个核桃 and 涉县核桃
		{Title: "六个核桃 易智型核桃乳 240ml×20罐 整箱装 植物蛋白饮料", Price: 79.9, Seller: "六个核桃官方旗舰店", Location: "河北 衡水", Kind: KindGenuine},
		{Title: "养元 六个核桃 精品型 核桃乳 240ml*12罐 送礼佳品", Price: 52.0, Seller: "六个核桃京东自营旗舰店", Location: "北京 北京", Kind: KindGenuine},
		{Title: "陆个核桃 核桃乳饮品 240ml*24罐 整箱批发 早餐奶", Price: 39.8, Seller: "鑫源副食批发部", Location: "河南 周口", Kind: KindLookalike},
		{Title: "六个核挑 精选核桃露 植物蛋白饮料 250ml×16盒", Price: 29.9, Seller: "好运来食品商行", Location: "山东 临沂", Kind: KindLookalike},
		{Title: "六個核桃 經典原味 核桃乳 240ml 12罐 禮盒", Price: 45.0, Seller: "港货优选小铺", Location: "广东 深圳", Kind: KindLookalike},
		{Title: "六个好核桃 核桃奶 学生早餐饮料 240ml*20罐", Price: 36.5, Seller: "惠民日用百货", Location: "安徽 阜阳", Kind: KindLookalike},
		{Title: "六仁核桃 核桃饮料 醇香型 240毫升×12 整箱", Price: 33.0, Seller: "旺旺福批发超市", Location: "河南 商丘", Kind: KindLookalike},
		{Title: "六个-核桃 同款配方 核桃乳 植物蛋白 礼盒装", Price: 41.0, Seller: "百味源零食铺", Location: "江苏 徐州", Kind: KindLookalike},
		{Title: "涉县核桃 2024新货 薄皮核桃 原味 5斤装", Price: 68.0, Seller: "涉县太行山核桃专业合作社", Location: "河北 邯郸", Kind: KindGenuine},
		{Title: "涉县核桃 纸皮核桃 新疆直发 生核桃 3斤", Price: 39.9, Seller: "阿克苏果农直供店", Location: "新疆 阿克苏", Kind: KindLookalike},
		{Title: "云南 纸皮核桃 手剥 原味 2.5kg 坚果炒货", Price: 49.9, Seller: "彩云之南山货店", Location: "云南 大理", Kind: KindUnrelated},
		{Title: "三只松鼠 琥珀核桃仁 168g 休闲零食 蜂蜜味", Price: 26.9, Seller: "三只松鼠旗舰店", Location: "安徽 芜湖", Kind: KindUnrelated},

		// 今麦郎
		{Title: "今麦郎 一桶半 红烧牛肉面 桶装方便面 12桶整箱", Price: 46.8, Seller: "今麦郎官方旗舰店", Location: "河北 邢台", Kind: KindGenuine},
		{Title: "今麦郞 老坛酸菜牛肉面 泡面 5连包 夜宵速食", Price: 15.9, Seller: "速食达人小店", Location: "河南 漯河", Kind: KindLookalike},
		{Title: "金麦郎 弹面 红烧牛肉味 方便面 24袋 整箱", Price: 35.0, Seller: "大家乐批发部", Location: "湖北 孝感", Kind: KindLookalike},
		{Title: "今麥郎 香辣牛肉麵 桶麵 12桶 宿舍囤貨", Price: 42.0, Seller: "台湾好物进口馆", Location: "福建 厦门", Kind: KindLookalike},
		{Title: "康师傅 红烧牛肉面 方便面 5连包", Price: 14.5, Seller: "康师傅官方旗舰店", Location: "天津 天津", Kind: KindUnrelated},

		// 衡水老白干, 刘伶醉, 板城烧锅酒
		{Title: "衡水老白干 古法20 67度 500ml 高度白酒 礼盒装", Price: 268.0, Seller: "衡水老白干官方旗舰店", Location: "河北 衡水", Kind: KindGenuine},
		{Title: "衡水老白乾 62度 纯粮固态 500ml*6瓶 整箱", Price: 199.0, Seller: "老酒坊酒类专营", Location: "山东 菏泽", Kind: KindLookalike},
		{Title: "衡水老百干 高度粮食酒 67度 2斤装 桶装散酒", Price: 58.0, Seller: "醉美人酒水批发", Location: "河南 南阳", Kind: KindLookalike},
		{Title: "衡水 老 白 干 纯粮酿造 52度 480ml 光瓶", Price: 35.0, Seller: "酒香不怕巷子深", Location: "江苏 宿迁", Kind: KindLookalike},
		{Title: "刘伶醉 古酿 52度 500ml 浓香型白酒", Price: 128.0, Seller: "刘伶醉官方旗舰店", Location: "河北 保定", Kind: KindGenuine},
		{Title: "刘玲醉 陈酿 粮食白酒 52度 500ml*2瓶", Price: 69.0, Seller: "兴隆烟酒行", Location: "四川 宜宾", Kind: KindLookalike},
		{Title: "板城烧锅酒 五粮 52度 500ml 承德特产", Price: 88.0, Seller: "板城烧锅酒官方旗舰店", Location: "河北 承德", Kind: KindGenuine},
		{Title: "板诚烧锅酒 纯粮酒 60度 2.5L 泡酒专用", Price: 76.0, Seller: "老窖坊散酒批发", Location: "辽宁 沈阳", Kind: KindLookalike},

		// 迁西板栗, 京东板栗
		{Title: "迁西板栗 甘栗仁 即食板栗仁 100g*10袋 原味", Price: 59.9, Seller: "迁西栗源食品旗舰店", Location: "河北 唐山", Kind: KindGenuine},
		{Title: "迁西板栗 新鲜生板栗 5斤 现摘现发 大颗粒", Price: 45.0, Seller: "泰山脚下农家果园", Location: "山东 泰安", Kind: KindLookalike},
		{Title: "迂西板栗 油栗 新鲜 3斤装 糖炒栗子原料", Price: 32.0, Seller: "丹东山货直销", Location: "辽宁 丹东", Kind: KindLookalike},
		{Title: "千西板栗 熟板栗仁 甘栗 即食零食 500g", Price: 28.8, Seller: "零食很忙批发店", Location: "湖南 长沙", Kind: KindLookalike},
		{Title: "迁西风味 板栗仁 开袋即食 休闲零食 260g", Price: 19.9, Seller: "味多多食品", Location: "浙江 金华", Kind: KindLookalike},
		{Title: "京东板栗 燕山油栗 新货 5斤 宽城特产", Price: 55.0, Seller: "燕山农家特产店", Location: "河北 承德", Kind: KindGenuine},
		{Title: "京东板栗 大板栗 新鲜 5斤 产地直发", Price: 36.0, Seller: "罗田板栗合作社", Location: "湖北 黄冈", Kind: KindLookalike},
		{Title: "丹东 油栗 生板栗 新鲜 5斤 大颗", Price: 42.0, Seller: "丹东山货直销", Location: "辽宁 丹东", Kind: KindUnrelated},

		// 露露, 君乐宝, 旭日升
		{Title: "承德露露 杏仁露 240ml*20罐 植物蛋白饮料 整箱", Price: 62.0, Seller: "承德露露官方旗舰店", Location: "河北 承德", Kind: KindGenuine},
		{Title: "承德露霖 杏仁饮料 240ml×24罐 节日礼盒", Price: 39.0, Seller: "万家福副食", Location: "河南 新乡", Kind: KindLookalike},
		{Title: "路路 杏仁露 植物蛋白饮品 240ml 16罐", Price: 32.0, Seller: "便民超市批发", Location: "山西 运城", Kind: KindLookalike},
		{Title: "君乐宝 简醇 0蔗糖 酸奶 250g*10袋", Price: 39.9, Seller: "君乐宝官方旗舰店", Location: "河北 石家庄", Kind: KindGenuine},
		{Title: "君乐保 纯牛奶 全脂 250ml*24盒 早餐奶", Price: 45.0, Seller: "牧场优选奶品店", Location: "内蒙古 呼和浩特", Kind: KindLookalike},
		{Title: "蒙牛 特仑苏 纯牛奶 250ml*12盒", Price: 59.0, Seller: "蒙牛官方旗舰店", Location: "内蒙古 呼和浩特", Kind: KindUnrelated},
		{Title: "旭日升 冰红茶 500ml*15瓶 经典回忆", Price: 45.0, Seller: "旭日升官方旗舰店", Location: "河北 衡水", Kind: KindGenuine},
		{Title: "旭曰升 冰茶 柠檬味 茶饮料 500ml*15", Price: 29.0, Seller: "怀旧零食铺", Location: "广东 汕头", Kind: KindLookalike},

		// 连花清瘟, 以岭
		{Title: "以岭 连花清瘟胶囊 0.35g*24粒 清瘟解毒", Price: 28.5, Seller: "以岭药业官方旗舰店", Location: "河北 石家庄", Kind: KindGenuine},
		{Title: "莲花清瘟 颗粒 6g*10袋 感冒 清热解毒", Price: 19.9, Seller: "康健大药房", Location: "广西 玉林", Kind: KindLookalike},
		{Title: "連花清瘟膠囊 24粒 家庭常備", Price: 35.0, Seller: "海外代购药妆店", Location: "广东 广州", Kind: KindLookalike},

		// 五得利, 金沙河, 藁城宫面
		{Title: "五得利 八星雪花小麦粉 5kg 家用中筋面粉 包子馒头", Price: 32.9, Seller: "五得利官方旗舰店", Location: "河北 邯郸", Kind: KindGenuine},
		{Title: "五得力 高筋面粉 10斤 饺子粉 面包粉", Price: 26.0, Seller: "粮油批发中心", Location: "河南 周口", Kind: KindLookalike},
		{Title: "金沙河 龙须挂面 1kg*3 细面条 家用速食", Price: 19.9, Seller: "金沙河官方旗舰店", Location: "河北 邢台", Kind: KindGenuine},
		{Title: "金砂河 鸡蛋挂面 宽面 2kg 整箱", Price: 15.8, Seller: "惠民粮油店", Location: "山东 德州", Kind: KindLookalike},
		{Title: "藁城宫面 空心挂面 手工 2斤 石家庄特产", Price: 38.0, Seller: "藁城宫面老作坊", Location: "河北 石家庄", Kind: KindGenuine},
		{Title: "藁城宫面 手工空心面 月子面 3斤", Price: 29.9, Seller: "西北面食坊", Location: "陕西 西安", Kind: KindLookalike},

		// other GIs
		{Title: "赵县雪花梨 新鲜 当季 10斤 大果 脆甜多汁", Price: 49.9, Seller: "赵州梨园直供", Location: "河北 石家庄", Kind: KindGenuine},
		{Title: "赵县雪花梨 砀山产地 新鲜梨 10斤", Price: 29.9, Seller: "砀山梨农直销", Location: "安徽 宿州", Kind: KindLookalike},
		{Title: "深州蜜桃 水蜜桃 新鲜 5斤 当季 现摘", Price: 59.0, Seller: "蒙阴桃园直发", Location: "山东 临沂", Kind: KindLookalike},
		{Title: "沧州金丝小枣 免洗红枣 2斤 特级", Price: 25.8, Seller: "沧州枣乡专营", Location: "河北 沧州", Kind: KindGenuine},
		{Title: "沧州金丝小枣 乐陵直发 红枣 5斤", Price: 35.0, Seller: "乐陵枣业批发", Location: "山东 德州", Kind: KindLookalike},
		{Title: "黄骅冬枣 新鲜 脆甜 5斤 产地直发", Price: 45.0, Seller: "沾化冬枣基地", Location: "山东 滨州", Kind: KindLookalike},
		{Title: "鸡泽辣椒 羊角椒 干辣椒 500g 邯郸特产", Price: 22.0, Seller: "鸡泽辣椒合作社", Location: "河北 邯郸", Kind: KindGenuine},
		{Title: "新疆 和田大枣 红枣 5斤 特级", Price: 49.0, Seller: "和田枣园", Location: "新疆 和田", Kind: KindUnrelated},

		// 长城: the car maker, the wine, and the many other 长城 that are not them
		{Title: "长城葡萄酒 干红 解百纳 750ml*6支 整箱", Price: 298.0, Seller: "长城葡萄酒官方旗舰店", Location: "河北 张家口", Kind: KindGenuine},
		{Title: "长城干红 赤霞珠 红酒 750ml*2 礼盒 特价", Price: 59.0, Seller: "宏达酒业", Location: "山东 烟台", Kind: KindLookalike},
		{Title: "长城宽带 100M 包年 办理", Price: 360.0, Seller: "宽带营业厅", Location: "北京 北京", Kind: KindUnrelated},
		{Title: "八达岭长城 门票 成人票 电子票", Price: 40.0, Seller: "畅游票务", Location: "北京 北京", Kind: KindUnrelated},

		// filler: ordinary goods
		{Title: "卫龙 大面筋 辣条 65g*10包 休闲零食", Price: 19.9, Seller: "卫龙食品旗舰店", Location: "河南 漯河", Kind: KindUnrelated},
		{Title: "金龙鱼 大米 东北长粒香 5kg", Price: 36.9, Seller: "金龙鱼官方旗舰店", Location: "上海 上海", Kind: KindUnrelated},
		{Title: "农夫山泉 饮用天然水 550ml*24瓶", Price: 28.0, Seller: "农夫山泉旗舰店", Location: "浙江 杭州", Kind: KindUnrelated},
		{Title: "洽洽 香瓜子 五香味 308g", Price: 12.9, Seller: "洽洽食品旗舰店", Location: "安徽 合肥", Kind: KindUnrelated},
		{Title: "良品铺子 手剥巴旦木 210g 坚果", Price: 25.9, Seller: "良品铺子旗舰店", Location: "湖北 武汉", Kind: KindUnrelated},
		{Title: "老干妈 风味豆豉油制辣椒 280g*2瓶", Price: 18.5, Seller: "老干妈官方旗舰店", Location: "贵州 贵阳", Kind: KindUnrelated},
		{Title: "安井 速冻水饺 猪肉白菜 1kg", Price: 21.9, Seller: "安井食品旗舰店", Location: "福建 厦门", Kind: KindUnrelated},
		{Title: "维达 抽纸 3层120抽*24包 整箱", Price: 49.9, Seller: "维达官方旗舰店", Location: "广东 江门", Kind: KindUnrelated},
		{Title: "蓝月亮 深层洁净洗衣液 3kg*2瓶 薰衣草香", Price: 59.9, Seller: "蓝月亮官方旗舰店", Location: "广东 广州", Kind: KindUnrelated},
		{Title: "百草味 每日坚果 750g/30袋 混合果仁", Price: 79.0, Seller: "百草味旗舰店", Location: "浙江 杭州", Kind: KindUnrelated},
		{Title: "海天 金标生抽 1.28L 酿造酱油", Price: 13.9, Seller: "海天官方旗舰店", Location: "广东 佛山", Kind: KindUnrelated},
		{Title: "伊利 安慕希 希腊风味酸奶 205g*12盒", Price: 55.0, Seller: "伊利官方旗舰店", Location: "内蒙古 呼和浩特", Kind: KindUnrelated},
		{Title: "稻香村 京八件 糕点礼盒 1.2kg 中秋送礼", Price: 88.0, Seller: "稻香村食品旗舰店", Location: "北京 北京", Kind: KindUnrelated},
		{Title: "五常大米 稻花香 10斤 新米 当季", Price: 69.9, Seller: "五常米业直营店", Location: "黑龙江 哈尔滨", Kind: KindUnrelated},
		{Title: "云南白药 牙膏 留兰香型 180g*2支", Price: 45.9, Seller: "云南白药官方旗舰店", Location: "云南 昆明", Kind: KindUnrelated},
		{Title: "王老吉 凉茶植物饮料 310ml*24罐 整箱", Price: 64.0, Seller: "王老吉官方旗舰店", Location: "广东 广州", Kind: KindUnrelated},
		{Title: "恰恰 山核桃味瓜子 108g*6袋", Price: 29.9, Seller: "坚果炒货专营", Location: "安徽 合肥", Kind: KindUnrelated},
		{Title: "思念 汤圆 黑芝麻 500g*2袋", Price: 19.9, Seller: "思念食品旗舰店", Location: "河南 郑州", Kind: KindUnrelated},

		// Signals beyond the title (appended, so the listings above keep
		// their ids). Price: the plain name, priced far below the genuine
		// goods for what the title says the listing holds.
		{Title: "六个核桃 核桃乳 240ml*20罐 整箱 特价清仓", Price: 9.9, Seller: "惠购食品折扣店", Location: "广东 广州", Kind: KindCounterfeit, Signal: SignalPrice},
		{Title: "衡水老白干 67度 500ml*6瓶 整箱 清仓", Price: 59.0, Seller: "名酒特卖汇", Location: "河南 郑州", Kind: KindCounterfeit, Signal: SignalPrice},
		{Title: "以岭 连花清瘟胶囊 0.35g*24粒 家庭常备", Price: 4.5, Seller: "平价药品直销", Location: "广西 南宁", Kind: KindCounterfeit, Signal: SignalPrice},
		// Image: the mark's own packaging photo under a title that avoids
		// the name but names the goods.
		{Title: "核桃乳 植物蛋白饮料 240ml*20罐 整箱 早餐奶", Price: 29.9, Seller: "优品饮料批发", Location: "河南 周口", Kind: KindCounterfeit, Signal: SignalImage, Photo: "liugehetao-can"},
		{Title: "核桃露 礼盒装 240ml×20罐 植物蛋白 节日送礼", Price: 35.0, Seller: "福满多副食", Location: "山东 菏泽", Kind: KindCounterfeit, Signal: SignalImage, Photo: "liugehetao-box"},
		{Title: "杏仁露 植物蛋白饮料 240ml*20罐 整箱", Price: 28.0, Seller: "万家乐饮品", Location: "河南 新乡", Kind: KindCounterfeit, Signal: SignalImage, Photo: "lulu-can"},
		{Title: "纯粮白酒 67度 500ml 古法酿造 高度酒", Price: 39.0, Seller: "醇香酒业商行", Location: "山东 菏泽", Kind: KindCounterfeit, Signal: SignalImage, Photo: "hengshui-laobaigan-bottle"},
		{Title: "龙须挂面 1kg*3 细面条 家用速食", Price: 12.9, Seller: "好日子粮油", Location: "山东 德州", Kind: KindCounterfeit, Signal: SignalImage, Photo: "jinshahe-pack"},
		{Title: "红烧牛肉面 桶装方便面 12桶 整箱", Price: 29.0, Seller: "速食批发仓", Location: "湖北 孝感", Kind: KindCounterfeit, Signal: SignalImage, Photo: "jinmailang-bucket"},
		// Seller: the ring's shop on this platform (its look-alike is what
		// supervisors confirm; its plain-name listing is what the network's
		// record then raises).
		{Title: "陆个核桃 核桃乳 240ml*20罐 整箱 送礼", Price: 35.8, Seller: ringShopMain, Location: "河南 郑州", Kind: KindLookalike, Signal: SignalSeller},
		{Title: "六个核桃 精品型 核桃乳 240ml*12罐", Price: 39.9, Seller: ringShopMain, Location: "河南 郑州", Kind: KindCounterfeit, Signal: SignalSeller},
	}
}
