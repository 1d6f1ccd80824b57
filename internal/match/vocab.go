package match

import "strings"

// Generic vocabularies of Chinese marketplace wording. None names a mark or a
// listing; they describe how counterfeiters and honest sellers write. They
// are constants, split into the read-only tables when those are built.

// counterfeitWords announce a copy.
const counterfeitWords = "高仿 精仿 仿品 仿货 a货 超a 原单 尾单 复刻 山寨 1比1 一比一 假货 复制版 仿制版 仿牌 仿包装 仿老包装 同款包装 仿冒 冒牌" // and 1:1, see counterfeitWording

// compatWords introduce the thing an accessory fits, not its maker.
const compatWords = "适用于 适用 适配 兼容 用于 配套 专用于 适合 通用于 for"

// giQualifiers say a product is only like the protected one (品种/风味/同款).
const giQualifiers = "品种 风味 同款 口味 味道 类型 型 款 系"

// swapClasses group characters a counterfeiter trades for one another while
// keeping a name's pattern (五粮液 → 九粮液, 金 → 银, 花 → 叶).
const swapClasses = "一二三四五六七八九十百千万两壹贰叁肆伍陆柒捌玖拾 " +
	"金银铜铁锡玉珠宝钻 " +
	"红橙黄绿青蓝紫黑白灰粉彩 " +
	"日月星天云风雨雪霜光 " +
	"今明昨古新老旧早晚 " +
	"大小长短高低多少 " +
	"东西南北中上下左右前后内外 " +
	"春夏秋冬 " +
	"龙凤虎狮鹤鹰马牛羊鹿 " +
	"花叶草木果枝根茎芽苗 " +
	"福禄寿喜乐康宁安吉祥 " +
	"爷奶爸妈爹娘哥姐弟妹儿女子孙叔姨舅婆公翁媳"

// swapWordClasses group two-character words of related meaning a
// counterfeiter trades for one another at the end of a name (老干妈 →
// 老姨妈, 鲍师傅 → 鲍老师): forms of address, then kinship words. Classes are
// separated by "|".
const swapWordClasses = "师傅 师父 老师 大师 先生 掌柜 老板 | " +
	"妈妈 姨妈 干妈 大妈 姑妈 舅妈 阿姨 婶婶 奶奶 姥姥 外婆 爸爸 干爹 老爹 大爹 爷爷 大爷 叔叔 伯伯 舅舅 " +
	"哥哥 大哥 姐姐 大姐 妹妹 小妹 弟弟 小弟 阿哥 阿妹"

// provinces are the province-level divisions: a two-character look-alike
// glued right after one is a place in it (新疆伊犁), not a mark.
const provinces = "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"

// provinceSuffixes and citySuffixes are administrative suffixes dropped
// before comparing seller locations (河北省唐山市 → 河北唐山); a province
// suffix also separates province from city when no space does.
const (
	provinceSuffixes = "特别行政区 维吾尔自治区 壮族自治区 回族自治区 自治区 省"
	citySuffixes     = "自治州 地区 市 盟"
)

// measureChars are counters and packaging words: a number followed by them
// (六个装) is a quantity, not a name.
const measureChars = "个只件套装盒包袋瓶罐箱桶斤克千升毫支片粒条根块张份组提听杯碗"

// containerCompatWords, standing after a mark's container (红牛罐 适配),
// say the listing fits the container.
const containerCompatWords = "适用 适用于 适配 兼容 专用 通用 配套"

// containerChars are containers and fittings of goods: 饮料罐 is a can, not
// a drink, and 红牛罐 适配 … fits one.
const containerChars = "罐瓶盒桶杯架套盖贴壶"

// compatAfterWords follow the thing an accessory fits (哈弗H6专用).
const compatAfterWords = "专用 适用 通用 可用 兼容"

// radicalForms pairs each radical form with the character it stands for,
// which a seller splitting a character may type instead (沙 → 水少).
const radicalForms = "氵水 亻人 扌手 忄心 讠言 纟糸 钅金 饣食 礻示 衤衣 犭犬 艹草 ⺮竹 刂刀 灬火 忄心 王玉 月肉 罒网 丬爿 攵攴 辶走 阝阜"

// originAfterWords follow a place named as a product's origin (沧州特产).
const originAfterWords = "特产 产地 产区 原产 出产 产"

// commerceWords are shop wording that often follows a name (专卖, 正品,
// 礼盒): a name followed by them is still just the name.
const commerceWords = "总店 分店 门店 专卖 专营 专柜 官方 正品 旗舰 直营 授权 原装 原厂 正宗 经典 新品 新款 特价 包邮 批发 整箱 礼盒 礼品 系列 品牌 牌 特产 老字号 装 款 店"

// vocab holds the vocabularies split into words.
type vocab struct {
	counterfeit, compat, compatAfter, qualifiers, originAfter, commerce, containerCompat []string
	provinceSuffixes, citySuffixes                                                       []string
	province                                                                             map[string]bool
	radical                                                                              map[rune]rune
}

func newVocab() vocab {
	return vocab{
		counterfeit:      strings.Fields(counterfeitWords),
		compat:           strings.Fields(compatWords),
		compatAfter:      strings.Fields(compatAfterWords),
		containerCompat:  strings.Fields(containerCompatWords),
		commerce:         strings.Fields(commerceWords),
		originAfter:      strings.Fields(originAfterWords),
		radical:          pairsOf(radicalForms),
		qualifiers:       strings.Fields(giQualifiers),
		provinceSuffixes: strings.Fields(provinceSuffixes),
		citySuffixes:     strings.Fields(citySuffixes),
		province:         setOf(provinces),
	}
}

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// swapClassOf maps each character of swapClasses to its class number plus
// one (zero: no class).
func swapClassOf() map[rune]uint8 {
	m := map[rune]uint8{}
	for i, c := range strings.Fields(swapClasses) {
		for _, r := range c {
			m[r] = uint8(i + 1)
		}
	}
	return m
}

// swapWordClassOf maps each word of swapWordClasses to its class number
// plus one.
func swapWordClassOf() map[[2]rune]uint8 {
	m := map[[2]rune]uint8{}
	for i, c := range strings.Split(swapWordClasses, "|") {
		for _, w := range strings.Fields(c) {
			if r := []rune(w); len(r) == 2 {
				m[[2]rune{r[0], r[1]}] = uint8(i + 1)
			}
		}
	}
	return m
}

func pairsOf(s string) map[rune]rune {
	m := map[rune]rune{}
	for _, f := range strings.Fields(s) {
		if r := []rune(f); len(r) == 2 {
			m[r[0]] = r[1]
		}
	}
	return m
}
