package seller

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

func phone(v string) domain.Contact  { return domain.Contact{Kind: domain.ContactPhone, Value: v} }
func wechat(v string) domain.Contact { return domain.Contact{Kind: domain.ContactWeChat, Value: v} }
func qq(v string) domain.Contact     { return domain.Contact{Kind: domain.ContactQQ, Value: v} }
func addr(v string) domain.Contact   { return domain.Contact{Kind: domain.ContactAddress, Value: v} }

func TestContacts(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []domain.Contact
	}{
		{"mobile plain", "六个核桃 核桃乳整箱批发 电话13812345678 量大从优", []domain.Contact{phone("13812345678")}},
		{"mobile with spaces", "订购热线：138 1234 5678（同城送货）", []domain.Contact{phone("13812345678")}},
		{"mobile with dashes", "手机:139-3111-2233", []domain.Contact{phone("13931112233")}},
		{"mobile full-width", "联系电话：１５９３２１１８８９９", []domain.Contact{phone("15932118899")}},
		{"mobile +86", "Tel: +86 186 0311 7788", []domain.Contact{phone("18603117788")}},
		{"mobile 86 glued", "(+86)18603117788", []domain.Contact{phone("18603117788")}},
		{"two mobiles side by side", "电话 13812345678 13987654321", []domain.Contact{phone("13812345678"), phone("13987654321")}},
		{"landline 4-digit area", "公司电话：0311-88881234", []domain.Contact{phone("031188881234")}},
		{"landline 3-digit area", "北京 座机 010-62345678 周一至周五", []domain.Contact{phone("01062345678")}},
		{"landline parentheses", "传真（0318）7654321", []domain.Contact{phone("03187654321")}},
		{"landline 02x", "上海仓 021 5432 1098", []domain.Contact{phone("02154321098")}},
		{"date is no phone", "生产日期 2024-03-15 保质期 12个月", nil},
		{"order number is no phone", "订单号 202403151381234567890", nil},
		{"item id in url is no phone", "https://item.taobao.com/item.htm?id=13812345678x", nil},
		{"model code is no phone", "型号 AB13812345678", nil},
		{"mobile starting 12 is no phone", "编号 12812345678", nil},
		{"landline without area break is no phone", "条码 031188881234", nil},
		{"wechat id", "加微信：XinWang_888 领优惠券", []domain.Contact{wechat("xinwang_888")}},
		{"wechat homophone", "威信 xw-food2024", []domain.Contact{wechat("xw-food2024")}},
		{"wechat 薇信号", "薇信号:hetaoru666", []domain.Contact{wechat("hetaoru666")}},
		{"wechat vx", "有问题 VX: abc12345 秒回", []domain.Contact{wechat("abc12345")}},
		{"wechat v信 full-width colon", "V信：ＬａｏＢａｉ99", []domain.Contact{wechat("laobai99")}},
		{"wechat latin needs separator", "wxabc12345", nil},
		{"wechat latin inside word", "newx: abc12345", nil},
		{"wechat chinese glued", "加微信abc123456", []domain.Contact{wechat("abc123456")}},
		{"wechat too short", "微信: ab12", nil},
		{"wechat too long", "微信: abcdefghijklmnopqrstuvwxyz", nil},
		{"wechat mobile is phone and wechat", "微信：138-1234-5678", []domain.Contact{phone("13812345678"), wechat("13812345678")}},
		{"wechat WeChat word", "WeChat: laobaigan_hs", []domain.Contact{wechat("laobaigan_hs")}},
		{"qq", "客服QQ：123456789", []domain.Contact{qq("123456789")}},
		{"qq glued", "qq12345", []domain.Contact{qq("12345")}},
		{"qq 扣扣", "扣扣 2857331900 在线", []domain.Contact{qq("2857331900")}},
		{"qq 企鹅号", "企鹅号:88886666", []domain.Contact{qq("88886666")}},
		{"qq too short", "QQ:1234", nil},
		{"qq group is not the seller's", "QQ群：123456789", nil},
		{"qq leading zero", "QQ:012345", nil},
		{"address to end of line", "发货地址：河北省 衡水市 桃城区 人民东路88号\n欢迎光临",
			[]domain.Contact{addr("河北省衡水市桃城区人民东路88号")}},
		{"address stops at next label", "公司地址:石家庄市长安区中山东路100号 电话：0311-88881234",
			[]domain.Contact{addr("石家庄市长安区中山东路100号"), phone("031188881234")}},
		{"address trailing punctuation", "地址：山东省临沂市兰山区批发城3号楼.", []domain.Contact{addr("山东省临沂市兰山区批发城3号楼")}},
		{"address stops at comma", "地址：邢台市临城县西竖镇，欢迎来厂参观", []domain.Contact{addr("邢台市临城县西竖镇")}},
		{"address capped at 40 runes", "地址：" + strings.Repeat("河北省", 20),
			[]domain.Contact{addr(strings.Repeat("河北省", 13) + "河")}},
		{"address without a place", "地址：请咨询客服", nil},
		{"buyer address is not the seller's", "请填写正确的收货地址：省市区街道门牌号", nil},
		{"everything, deduped in text order",
			"鑫旺食品专营店 六个核桃 批发\n电话/微信：13812345678\nQQ：2857331900\n地址：河北省石家庄市新华区友谊北大街18号\n再次致电 138 1234 5678",
			[]domain.Contact{phone("13812345678"), wechat("13812345678"), qq("2857331900"), addr("河北省石家庄市新华区友谊北大街18号")}},
		{"empty", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Contacts(tc.text)
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Contacts(%q)\n got  %v\n want %v", tc.text, got, tc.want)
			}
		})
	}
}

func FuzzContacts(f *testing.F) {
	for _, s := range []string{
		"电话/微信：13812345678 QQ：2857331900 地址：河北省石家庄市新华区友谊北大街18号",
		"+86 186 0311 7788", "(0318)7654321", "威信 xw-food2024", "QQ12345", "１５９３２１１８８９９",
		"地址：", "微信", "wx:", "0311-", "138-", "\xff\xfe微信:abc", "地址地址地址",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cs := Contacts(s)
		seen := map[domain.Contact]bool{}
		for _, c := range cs {
			if seen[c] {
				t.Fatalf("Contacts(%q) repeats %v", s, c)
			}
			seen[c] = true
			switch c.Kind {
			case domain.ContactPhone:
				if !allDigits(c.Value) || len(c.Value) < 10 || len(c.Value) > 12 {
					t.Fatalf("Contacts(%q): phone %q is not 10–12 digits", s, c.Value)
				}
			case domain.ContactQQ:
				if !allDigits(c.Value) || len(c.Value) < qqMin || len(c.Value) > qqMax {
					t.Fatalf("Contacts(%q): qq %q", s, c.Value)
				}
			case domain.ContactWeChat:
				if c.Value != strings.ToLower(c.Value) || len(c.Value) < wechatMin || len(c.Value) > wechatMax {
					t.Fatalf("Contacts(%q): wechat %q", s, c.Value)
				}
			case domain.ContactAddress:
				if n := utf8.RuneCountInString(c.Value); n < minAddressRunes || n > maxAddressRunes || strings.ContainsAny(c.Value, " \n\t") {
					t.Fatalf("Contacts(%q): address %q", s, c.Value)
				}
			default:
				t.Fatalf("Contacts(%q): unexpected kind %q", s, c.Kind)
			}
		}
		// Values are normalised: written back the way sellers write them,
		// they are found again (a landline with its area code apart).
		for _, c := range cs {
			if c.Kind != domain.ContactPhone {
				continue
			}
			written := c.Value
			if c.Value[0] == '0' {
				n := 4
				if isAreaCode(c.Value[:3]) {
					n = 3
				}
				written = c.Value[:n] + "-" + c.Value[n:]
			}
			if !slices.Contains(Contacts("电话 "+written), c) {
				t.Fatalf("Contacts(%q): phone %q is not found again on its own", s, c.Value)
			}
		}
	})
}
