package crawl

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// The walks of tree.go and contacts.go replaced cascadia's MatchAll per
// child, a recursive text walk and a stack of children per node; these
// tests hold them to what those gave, on the saved marketplace pages and on
// markup built to trip a walk (empty elements, deep nesting, skipped
// subtrees at the ends of blocks, text straight under the item).

// refMatchBelow is matchBelow as it was: cascadia's own walk per child.
func refMatchBelow(sel cascadia.Selector, n *html.Node) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, sel.MatchAll(c)...)
	}
	return out
}

func refNodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// refReadableText is readableText as it was: a stack of frames.
func refReadableText(n *html.Node, limit int) string {
	var b strings.Builder
	type frame struct {
		n    *html.Node
		exit bool
	}
	stack := []frame{{n: n}}
	for len(stack) > 0 && b.Len() < limit {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.exit {
			b.WriteByte('\n')
			continue
		}
		switch f.n.Type {
		case html.TextNode:
			b.WriteString(f.n.Data)
			continue
		case html.ElementNode:
			switch f.n.Data {
			case "script", "style", "noscript", "template":
				continue
			}
			if blockTags[f.n.Data] {
				stack = append(stack, frame{n: f.n, exit: true})
			}
		}
		var kids []*html.Node
		for c := f.n.FirstChild; c != nil; c = c.NextSibling {
			kids = append(kids, c)
		}
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, frame{n: kids[i]})
		}
	}
	s := b.String()
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "")
	}
	return s
}

var trickyPages = []string{
	`<ul><li class="item"></li><li class="item">直接文字<a class="title" href="/item/1">六个核桃 核桃乳</a>尾巴</li></ul>`,
	`<div class="item"><p>微信: xinwang888</p><script>var s="<p>不是文字</p>"</script><p>手机 13812345678</p></div>`,
	`<div><div><div><p><b><i><em>深处的文字</em></i></b></p></div></div></div><br><hr><p></p>`,
	`<table><tr><td>河北 石家庄</td><td><template><p>模板</p></template></td></tr></table><noscript><p>无脚本</p></noscript>`,
	"<li>\u3000全角空格\u00a0不换行空格\u0085</li><li><style>p{}</style></li>",
	strings.Repeat("<div>", 500) + "嵌套很深的标题" + strings.Repeat("</div>", 500),
}

func trickyDocs(t *testing.T) map[string]*html.Node {
	t.Helper()
	docs := map[string]*html.Node{}
	for i, p := range trickyPages {
		root, err := html.Parse(strings.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		docs[string(rune('a'+i))] = root
	}
	files, err := filepath.Glob(filepath.Join("testdata", "marketplace", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no saved pages: %v", err)
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text, _, err := decodeBody(body, "")
		if err != nil {
			t.Fatal(err)
		}
		root, err := html.Parse(bytes.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		docs[filepath.Base(f)] = root
	}
	return docs
}

// elements lists every node of the document in document order.
func allNodes(root *html.Node) []*html.Node {
	out := []*html.Node{root}
	for x := nextBelow(root, root); x != nil; x = nextBelow(x, root) {
		out = append(out, x)
	}
	return out
}

func TestWalksMatchTheRecursiveOnes(t *testing.T) {
	sels := []string{"*", "a", "li.gl-item", "#J_goodsList li.gl-item", "div.p-name a em", "div.p-price strong",
		"li > a", "p + p", "td:nth-child(2)", `:contains("")`, `li:contains("核桃")`, "ul.list-h > li[sku]", "em, b, i"}
	docs := trickyDocs(t)
	for name, root := range docs {
		nodes := allNodes(root)
		if got, want := len(nodes), 1+len(refMatchBelow(func(*html.Node) bool { return true }, root)); got != want {
			t.Fatalf("%s: the walk visits %d nodes, the tree has %d", name, got, want)
		}
		// Every 97th node as a scope keeps the test quick on 150 KB pages.
		for i := 0; i < len(nodes); i += 1 + len(nodes)/97 {
			n := nodes[i]
			for _, raw := range sels {
				sel := cascadia.MustCompile(raw)
				if got, want := matchBelow(sel, n), refMatchBelow(sel, n); !slices.Equal(got, want) {
					t.Fatalf("%s node %d, %q: matchBelow found %d nodes, cascadia %d", name, i, raw, len(got), len(want))
				}
				want := refMatchBelow(sel, n)
				if got := firstBelow(sel, n); (len(want) == 0) != (got == nil) || got != nil && got != want[0] {
					t.Fatalf("%s node %d, %q: firstBelow is not the first match", name, i, raw)
				}
			}
			if got, want := nodeText(n), refNodeText(n); got != want {
				t.Fatalf("%s node %d: nodeText %q, want %q", name, i, got, want)
			}
			for _, limit := range []int{maxCardText, 7, 1} {
				if got, want := readableText(n, limit), refReadableText(n, limit); got != want {
					t.Fatalf("%s node %d, limit %d: readableText %q, want %q", name, i, limit, got, want)
				}
			}
		}
	}
}

// refCleanText is cleanText without its fast path.
func refCleanText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u3000' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

var priceNumberRE = regexp.MustCompile(`\d+(?:[.,]\d+)*`)

func TestTextAndPriceScannersMatchTheOldOnes(t *testing.T) {
	cases := []string{"", "六个核桃", "六个核桃 核桃乳", " 前后空格 ", "鑫源副食批发部\n", "河南\u3000周口", "a\u00a0b",
		"\u2028行\u2029段", "\u0085下一行", "\u205f数学空格", "\u1680欧甘", "\xff无效字节", "\xe4\xb8无效尾", "\ufffd替换符",
		"￥39.90", "¥ 1,299.00", "25.00-30.00", "价格：1.2.3", "1,", "12.", ".5", "１２３全角数字", "0", "共 3 件 ￥99.00 起",
		"\t￥\r\n 45.5\v元\f", "A+B", "javascript:void(0)", "JavaScript:go()"}
	for _, c := range cases {
		if got, want := cleanText(c), refCleanText(c); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", c, got, want)
		}
		if got, want := priceNumber(c), priceNumberRE.FindString(c); got != want {
			t.Errorf("priceNumber(%q) = %q, the regexp finds %q", c, got, want)
		}
	}
	for r := rune(0); r <= 0x3100; r++ {
		if isSpace(r) != (unicode.IsSpace(r) || r == '\u00a0' || r == '\u3000') {
			t.Fatalf("isSpace(%U) = %v", r, isSpace(r))
		}
	}
}

func TestIsJavascriptAsToLowerSeesIt(t *testing.T) {
	for _, link := range []string{"javascript:void(0)", "JAVASCRIPT:x", "JavaScript:", "javascript", "javascrİpt:x",
		"javascript:", "java script:x", "/item/1.html", "//item.jd.com/1.html", "ＪＡＶＡ", "", "jAvAsCrIpT:alert(1)"} {
		want := strings.HasPrefix(strings.ToLower(link), "javascript:")
		if got := isJavascript(link); got != want {
			t.Errorf("isJavascript(%q) = %v, want %v", link, got, want)
		}
	}
}
