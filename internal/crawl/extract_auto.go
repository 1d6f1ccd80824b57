package crawl

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/markwatch/markwatch/internal/domain"
)

// Auto-detection reads listing cards by structure alone: elements are grouped
// by their tag.class path from the root, each group is scored on how much
// its members look like listing cards (one item link each, a title-sized
// text, a price, an image), and the best group's members are read field by
// field. Work is bounded whatever the page: at most autoMaxNodes elements are
// looked at, autoMaxGroups groups scored and autoMaxItems cards read.
const (
	autoMaxNodes   = 300_000
	autoMaxDepth   = 256
	autoMaxGroups  = 20_000
	autoMaxItems   = 5_000
	autoMaxURLs    = 5 // distinct item URLs remembered per subtree
	autoMinMembers = 2
)

// Read-only after init.
var (
	// A price as marketplaces print it: a currency mark, "元", or a number
	// with two decimals.
	autoPriceMark = regexp.MustCompile(`[¥￥]\s*\d|\d\s*元|^\s*\d{1,7}\.\d{1,2}\s*$`)
	// Item-like URL paths: an id of several digits, or the words shops use.
	autoItemPath = regexp.MustCompile(`(?i)\d{4,}|/(item|items|detail|details|product|products|goods|offer|dp|p|sku)(/|\.|$|-|_)|item\.|detail\.`)
	// An id parameter, or any parameter holding a long number (an ad's
	// redirect carries the offer that way).
	autoItemQuery  = regexp.MustCompile(`(?i)(^|&)((id|item_?id|itemid|sku|skuid|pid|product_?id|goods_?id|offer_?id|num_iid)=\d{3,}|[a-z_]{1,12}=\d{6,}(&|$))`)
	autoLocation   = regexp.MustCompile(`^(北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门)(省|市|自治区|特别行政区|壮族自治区|回族自治区|维吾尔自治区)?(\s+[\p{Han}]{2,4}|\s*[\p{Han}]{1,5}(市|县|区|州|盟))?$`)
	autoSellerText = regexp.MustCompile(`(店|旗舰店|专营店|专卖店|商行|商城|工厂|公司|企业)$`)
	// Classes that carry an id or a state rather than a role ("J_1398406577").
	autoUnstableClass = regexp.MustCompile(`\d{3,}|^(on|hover|active|curr|current|selected|first|last|odd|even)$`)
)

// AutoMode says when Extract reads a page by structure alone.
type AutoMode int

const (
	// AutoFallback (the default) tries the source's selectors and falls
	// back to auto-detection when they yield no listing on the page.
	AutoFallback AutoMode = iota
	// AutoOff never auto-detects: a page the selectors miss has no listings.
	AutoOff
	// AutoAlways ignores the item selectors and reads by structure alone
	// (pagination still comes from the source).
	AutoAlways
)

// ParseAutoMode reads "fallback" (or ""), "off" and "always", the values a
// source's extract.auto field would take.
func ParseAutoMode(s string) (AutoMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "fallback":
		return AutoFallback, nil
	case "off", "never", "false":
		return AutoOff, nil
	case "always", "true":
		return AutoAlways, nil
	}
	return 0, fmt.Errorf("auto: %q is not one of fallback, off, always", s)
}

func (m AutoMode) String() string {
	switch m {
	case AutoOff:
		return "off"
	case AutoAlways:
		return "always"
	}
	return "fallback"
}

// ExtractAuto reads the listings of an HTML page with no source definition:
// decoding as Extract does (BOM, Content-Type, <meta>, GBK guess), then
// finding the repeated blocks that hold an item link and a title or price.
// Listings carry no source id or platform. Report.Auto is set and
// Report.AutoItem names the group read.
func ExtractAuto(pageURL string, body []byte, contentType string) (Page, error) {
	text, warning, err := decodeBody(body, contentType)
	if err != nil {
		return Page{}, &ExtractError{Kind: KindEncoding, Err: fmt.Errorf("decoding %s: %w", pageURL, err)}
	}
	base, err := parseBase(pageURL)
	if err != nil {
		return Page{}, &ExtractError{Kind: KindParse, Err: err}
	}
	page, _, err := autoPage(base, text, nil, true, false)
	if err != nil {
		return Page{}, &ExtractError{Kind: KindParse, Err: fmt.Errorf("extracting %s: %w", pageURL, err)}
	}
	page.Report.EncodingWarning = warning
	return page, nil
}

// autoPage reads a page by structure: the repeated blocks of its HTML, or,
// when it has none and withJSON is set, the listings of the JSON it carries
// (found reports whether either gave any). With cards, the page's Cards
// hold the text of each HTML card (not of JSON items found by structure).
// root is text already parsed, or nil.
func autoPage(base *url.URL, text []byte, root *html.Node, withJSON, cards bool) (page Page, found bool, err error) {
	var d *detection
	if root != nil {
		d = detectTree(base, root)
	} else if d, err = detectHTML(base, text); err != nil {
		return Page{}, false, err
	}
	page = d.page()
	if cards {
		page.Cards = d.cardTexts()
	}
	if len(page.Listings) > 0 {
		return page, true, nil
	}
	if !withJSON {
		return page, false, nil
	}
	if ls := autoJSON(base, text); len(ls) > 0 {
		page = Page{Listings: ls}
		page.Report.Auto, page.Report.AutoItem = true, "json"
		return page, true, nil
	}
	return page, false, nil
}

// autoNode is what the bottom-up pass knows of one element's subtree.
type autoNode struct {
	n      *html.Node
	parent int // index in detection.nodes, -1 for the root
	depth  int
	sig    string // tag.class of the element alone
	path   int    // group id: the tag.class path from the root
	text   int    // runes of text below, capped
	price  bool
	img    bool
	links  int      // <a href> below (or the element itself)
	urls   []string // distinct item-like URLs below, at most autoMaxURLs
}

type autoGroup struct {
	id      int
	members []int
	score   float64
}

// detection is the result of detectHTML: the root, the chosen group and its
// cards read field by field.
type detection struct {
	root  *html.Node
	base  *url.URL
	nodes []autoNode
	group *autoGroup
	cards []autoCard
	paths []string // group id -> path signature
	// budget is how many more nodes reading the cards' texts may visit.
	budget int
}

// autoCard is one member of the chosen group with the node each field came
// from, so --suggest can derive selectors that read the same values.
type autoCard struct {
	item                 *html.Node
	title, price, seller autoField
	location, url, image autoField
}

// autoField is a value and where it was read: the node's text, or one of
// its attributes.
type autoField struct {
	node  *html.Node
	attr  string
	value string
}

func detectHTML(base *url.URL, text []byte) (*detection, error) {
	root, err := html.Parse(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("parsing HTML: %w", err)
	}
	return detectTree(base, root), nil
}

// detectTree is detectHTML on a parsed document, which it only reads.
func detectTree(base *url.URL, root *html.Node) *detection {
	d := &detection{root: root, base: base, budget: autoTextBudget}
	d.index()
	d.choose()
	if d.group != nil {
		d.read()
	}
	return d
}

// index walks the document once (iteratively: hostile pages nest deeply),
// recording every element up to the caps, then aggregates subtree features
// bottom-up: children always come after their parent in d.nodes.
func (d *detection) index() {
	pathIDs := map[string]int{}
	type frame struct {
		n      *html.Node
		parent int
		depth  int
		path   string
	}
	stack := []frame{{n: d.root, parent: -1}}
	for len(stack) > 0 && len(d.nodes) < autoMaxNodes {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := f.n
		idx := f.parent
		path := f.path
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "noscript", "template", "head", "svg", "iframe", "select", "textarea":
				continue
			}
			sig := groupSig(n)
			path = f.path + ">" + sig
			if len(path) > 4096 {
				path = path[len(path)-4096:]
			}
			id, ok := pathIDs[path]
			if !ok {
				id = len(d.paths)
				pathIDs[path] = id
				d.paths = append(d.paths, path)
			}
			an := autoNode{n: n, parent: f.parent, depth: f.depth, sig: sig, path: id}
			switch n.Data {
			case "img":
				an.img = imageSrc(n) != ""
			case "a":
				if href, ok := attrOf(n, "href"); ok {
					if u := resolveURL(d.base, href); u != "" {
						an.links = 1
						if itemLike(u, d.base) {
							an.urls = []string{stripFragment(u)}
						}
					}
				}
			}
			idx = len(d.nodes)
			d.nodes = append(d.nodes, an)
		} else if n.Type == html.TextNode && f.parent >= 0 {
			p := &d.nodes[f.parent]
			t := strings.TrimSpace(n.Data)
			if t != "" {
				p.text += utf8.RuneCountInString(t)
				if !p.price && len(t) < 200 && autoPriceMark.MatchString(t) {
					p.price = true
				}
			}
		}
		if f.depth >= autoMaxDepth {
			continue
		}
		// Push children in reverse so they are visited in document order.
		var kids []*html.Node
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode || c.Type == html.TextNode || c.Type == html.DocumentNode {
				kids = append(kids, c)
			}
		}
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, frame{n: kids[i], parent: idx, depth: f.depth + 1, path: path})
		}
	}
	for i := len(d.nodes) - 1; i >= 0; i-- {
		c := &d.nodes[i]
		if c.parent < 0 {
			continue
		}
		p := &d.nodes[c.parent]
		p.text = min(p.text+c.text, 1<<20)
		p.price = p.price || c.price
		p.img = p.img || c.img
		p.links = min(p.links+c.links, 1<<20)
		for _, u := range c.urls {
			if len(p.urls) >= autoMaxURLs {
				break
			}
			if !slices.Contains(p.urls, u) {
				p.urls = append(p.urls, u)
			}
		}
	}
}

// groupSig is "tag.class1.class2" with the classes that name a role
// (sorted), not an id, a position or a state: cards are grouped by it, so a
// class with any digit ("item-ad-3") is left out.
func groupSig(n *html.Node) string { return sigOf(n, true) }

// elementSig is the step selectors are written with: classes with a
// version or a type number ("goods-list-v2") are kept, ids are not.
func elementSig(n *html.Node) string { return sigOf(n, false) }

func sigOf(n *html.Node, strict bool) string {
	tag := n.Data
	if !strict && !cssIdent(tag) {
		tag = "*" // a tag name no selector can spell (broken markup)
	}
	cls := stableClasses(n, strict)
	if len(cls) == 0 {
		return tag
	}
	return tag + "." + strings.Join(cls, ".")
}

func stableClasses(n *html.Node, strict bool) []string {
	v, _ := attrOf(n, "class")
	var out []string
	for _, c := range strings.Fields(v) {
		if len(c) > 64 || autoUnstableClass.MatchString(c) || !cssIdent(c) || slices.Contains(out, c) ||
			strict && strings.ContainsAny(c, "0123456789") {
			continue
		}
		out = append(out, c)
		if len(out) == 6 {
			break
		}
	}
	sort.Strings(out)
	return out
}

// cssIdent reports whether s can be written in a selector without escaping.
func cssIdent(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') || s[0] == '-' && len(s) > 1 && s[1] >= '0' && s[1] <= '9' {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func stripFragment(u string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		return u[:i]
	}
	return u
}

// itemLike says whether a link looks like one offer's page rather than a
// search, a category or the site's navigation.
func itemLike(link string, base *url.URL) bool {
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	if base != nil && u.Host == base.Host && u.Path == base.Path && u.RawQuery == base.RawQuery {
		return false
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	p, h := strings.ToLower(u.Path), strings.ToLower(u.Host)
	if strings.Contains(p, "search") || strings.Contains(p, "list") && !strings.Contains(p, "item") ||
		strings.Contains(p, "cart") || strings.Contains(p, "shop") || strings.Contains(p, "store") ||
		strings.HasPrefix(h, "shop") || strings.HasPrefix(h, "mall.") || strings.HasPrefix(h, "store.") ||
		strings.HasPrefix(h, "cart.") || strings.HasPrefix(h, "gate.") || strings.HasPrefix(h, "club.") {
		return false
	}
	return autoItemPath.MatchString(u.Host+u.Path) || autoItemQuery.MatchString(u.RawQuery)
}

// choose groups the elements by path and keeps the best-scoring group.
func (d *detection) choose() {
	byPath := map[int]*autoGroup{}
	var order []*autoGroup
	for i := range d.nodes {
		g := byPath[d.nodes[i].path]
		if g == nil {
			if len(order) >= autoMaxGroups {
				continue
			}
			g = &autoGroup{id: d.nodes[i].path}
			byPath[g.id] = g
			order = append(order, g)
		}
		if len(g.members) < autoMaxItems {
			g.members = append(g.members, i)
		}
	}
	var best *autoGroup
	for _, g := range order {
		if len(g.members) < autoMinMembers {
			continue
		}
		g.score = d.score(g)
		if g.score <= 0 {
			continue
		}
		// Nested wrappers of the same cards score alike; the outer one
		// (found first, shallower) is kept on a tie.
		if best == nil || g.score > best.score*1.0001 {
			best = g
		}
	}
	d.group = best
}

// score rates a group as listing cards: every member should hold an item
// link, and one item only; a price, an image and title-sized text add up.
func (d *detection) score(g *autoGroup) float64 {
	n := float64(len(g.members))
	var withItem, withPrice, withImg, textOK, multi float64
	seen := map[string]bool{}
	distinct := 0
	for _, i := range g.members {
		an := &d.nodes[i]
		if len(an.urls) > 0 {
			withItem++
			if !seen[an.urls[0]] {
				seen[an.urls[0]] = true
				distinct++
			}
			if len(an.urls) > 3 {
				multi++
			}
		}
		if an.price {
			withPrice++
		}
		if an.img {
			withImg++
		}
		if an.text >= 4 && an.text <= 2000 {
			textOK++
		}
	}
	itemFrac := withItem / n
	if itemFrac < 0.5 || distinct < 2 {
		return 0
	}
	priceFrac, imgFrac, textFrac := withPrice/n, withImg/n, textOK/n
	if textFrac < 0.3 && priceFrac < 0.3 {
		return 0 // an item link plus a title or a price
	}
	distinctFrac := float64(distinct) / withItem
	// A member holding three or more offers is a row or a list of cards,
	// not a card.
	single := 1 - multi/n
	s := float64(distinct) * itemFrac * distinctFrac * single * single * (0.3 + 1.5*priceFrac + imgFrac + 0.3*textFrac)
	if d.nodes[g.members[0]].n.Data == "a" && imgFrac < 0.5 {
		s /= 2 // a list of text links: navigation, related searches
	}
	return s
}

// read extracts every card of the chosen group.
func (d *detection) read() {
	for _, i := range d.group.members {
		if c, ok := d.readCard(d.nodes[i].n); ok {
			d.cards = append(d.cards, c)
		}
	}
}

func (d *detection) page() Page {
	var page Page
	page.Report.Auto = true
	if d.group == nil {
		page.Report.AutoItem = ""
		return page
	}
	page.Report.AutoItem = d.paths[d.group.id]
	if len(page.Report.AutoItem) > 200 {
		page.Report.AutoItem = "…" + page.Report.AutoItem[len(page.Report.AutoItem)-200:]
	}
	page.Listings = make([]domain.Listing, 0, len(d.cards))
	for _, c := range d.cards {
		r := record{title: c.title.value, price: c.price.value, seller: c.seller.value,
			location: c.location.value, url: c.url.value, image: c.image.value}
		if l, ok := r.listing(d.base); ok {
			page.Listings = append(page.Listings, l)
		} else {
			page.Report.Dropped++
		}
	}
	page.Report.Dropped += len(d.group.members) - len(d.cards)
	return page
}

// cardTexts is the visible text of the cards page() turns into listings,
// aligned with them.
func (d *detection) cardTexts() []string {
	var out []string
	for _, c := range d.cards {
		r := record{title: c.title.value, url: c.url.value}
		if _, ok := r.listing(d.base); ok {
			out = append(out, readableText(c.item, maxCardText))
		}
	}
	return out
}

// walkElements visits the elements below n (not n) in document order, at
// most limit of them, skipping scripts; fn returns false to skip a subtree.
func walkElements(n *html.Node, limit int, fn func(*html.Node) bool) {
	type frame struct {
		n     *html.Node
		depth int
	}
	var stack []frame
	push := func(p *html.Node, depth int) {
		if depth > autoMaxDepth {
			return
		}
		var kids []*html.Node
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				kids = append(kids, c)
			}
		}
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, frame{kids[i], depth})
		}
	}
	push(n, 1)
	for len(stack) > 0 && limit > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		limit--
		switch f.n.Data {
		case "script", "style", "noscript", "template", "svg":
			continue
		}
		if fn(f.n) {
			push(f.n, f.depth+1)
		}
	}
}

const (
	autoCardNodes  = 2000       // elements looked at inside one card
	autoTextBudget = 20_000_000 // nodes visited reading texts, per page
)

func (d *detection) readCard(item *html.Node) (autoCard, bool) {
	c := autoCard{item: item}
	var links, imgs, all []*html.Node
	walkElements(item, autoCardNodes, func(n *html.Node) bool {
		all = append(all, n)
		switch n.Data {
		case "a":
			links = append(links, n)
		case "img":
			imgs = append(imgs, n)
		}
		return true
	})
	if item.Data == "a" {
		links = append([]*html.Node{item}, links...)
	}
	// The listing URL is the item link with the most text: the name link,
	// not the image, the comments or the cart.
	var best *html.Node
	bestText, bestURL := -1, ""
	for _, a := range links {
		href, _ := attrOf(a, "href")
		u := resolveURL(d.base, href)
		if u == "" || !itemLike(u, d.base) {
			continue
		}
		ts, _ := d.text(a, 2000)
		t := utf8.RuneCountInString(cleanText(ts))
		if strings.Contains(u, "#") {
			t /= 4 // "#comments": the same item, not its name
		}
		if bestURL != "" && stripFragment(u) != stripFragment(bestURL) && t <= 8 {
			continue // a cart or shop button beside the name link
		}
		if t > bestText {
			best, bestText, bestURL = a, t, u
		}
	}
	if best == nil {
		return c, false
	}
	c.url = autoField{node: best, attr: "href", value: strings.TrimSpace(attrValue(best, "href"))}
	c.title = d.titleOf(best, stripFragment(bestURL), links, imgs)
	c.image = imageField(best, imgs)
	c.price = d.priceField(all)
	c.seller = d.sellerField(links, all, best)
	c.location = d.locationField(all)
	return c, c.title.value != ""
}

// text is n's text as nodeText gives it when it has at most maxRunes runes
// (ok), counted against the detection's budget so a hostile page cannot make
// the field search quadratic.
func (d *detection) text(n *html.Node, maxRunes int) (string, bool) {
	var b strings.Builder
	runes := 0
	stack := []*html.Node{n}
	for len(stack) > 0 {
		if d.budget--; d.budget < 0 {
			return "", false
		}
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x.Type == html.TextNode {
			b.WriteString(x.Data)
			if runes += utf8.RuneCountInString(x.Data); runes > maxRunes*4+64 {
				return "", false
			}
			continue
		}
		for c := x.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, c)
		}
	}
	t := strings.TrimSpace(b.String())
	return t, utf8.RuneCountInString(t) <= maxRunes
}

func attrValue(n *html.Node, key string) string {
	v, _ := attrOf(n, key)
	return v
}

// titleOf reads the offer's name: the name link's text, narrowed to its one
// text-bearing child when the rest is advertising (JD's i.promo-words);
// without text, the link's title attribute or the image's alt text.
func (d *detection) titleOf(link *html.Node, itemURL string, links, imgs []*html.Node) autoField {
	if t, ok := d.text(link, 10000); t != "" && ok {
		n := link
		for range 4 {
			c := d.soleTextChild(n)
			if c == nil {
				break
			}
			n = c
		}
		if t, ok := d.text(n, 10000); t != "" && ok {
			return autoField{node: n, value: t}
		}
	}
	for _, a := range links {
		href, _ := attrOf(a, "href")
		if stripFragment(resolveURL(d.base, href)) != itemURL {
			continue
		}
		if t := strings.TrimSpace(attrValue(a, "title")); t != "" {
			return autoField{node: a, attr: "title", value: t}
		}
	}
	for _, img := range imgs {
		if t := strings.TrimSpace(attrValue(img, "alt")); t != "" {
			return autoField{node: img, attr: "alt", value: t}
		}
	}
	return autoField{}
}

// soleTextChild is n's child element that holds its name when n has no text
// of its own: the only one with text besides promotion and icons, or, in a
// card that is all one link, the longest that is not a price or a shop.
func (d *detection) soleTextChild(n *html.Node) *html.Node {
	var only, longest *html.Node
	many, longestLen := false, 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			if strings.TrimSpace(c.Data) != "" {
				return nil
			}
		case html.ElementNode:
			t, _ := d.text(c, 10000)
			if t == "" || promoLike(c) {
				continue
			}
			if only != nil {
				many = true
			}
			only = c
			if l := utf8.RuneCountInString(t); l > longestLen && !autoPriceMark.MatchString(t) && !autoSellerText.MatchString(t) {
				longest, longestLen = c, l
			}
		}
	}
	if many {
		only = longest
	}
	// A highlight (<font>, <b>) inside the text is part of it, not a child
	// that holds it.
	if only != nil && (only.Data == "font" || only.Data == "b" || only.Data == "strong" && only.FirstChild == nil) {
		return nil
	}
	return only
}

func promoLike(n *html.Node) bool {
	cls := strings.ToLower(attrValue(n, "class"))
	for _, w := range []string{"promo", "ad-", "adwords", "slogan", "tip", "icon", "tag", "sub-title", "subtitle"} {
		if strings.Contains(cls, w) {
			return true
		}
	}
	return false
}

// imageAttrs are where lazy-loading pages keep the image URL, in order.
var imageAttrs = []string{"src", "data-src", "data-lazy-img", "data-lazyload", "data-original", "data-ks-lazyload", "data-lazy-src", "data-url", "lazy-src", "original"}

// imageSrc returns the first usable image URL of an <img> and the attribute
// it is in.
func imageSrcAttr(n *html.Node) (string, string) {
	for _, k := range imageAttrs {
		if v := strings.TrimSpace(attrValue(n, k)); usableImage(v) {
			return v, k
		}
	}
	for _, a := range n.Attr {
		if strings.Contains(strings.ToLower(a.Key), "lazy") && usableImage(strings.TrimSpace(a.Val)) {
			return strings.TrimSpace(a.Val), a.Key
		}
	}
	return "", ""
}

func imageSrc(n *html.Node) string {
	v, _ := imageSrcAttr(n)
	return v
}

func usableImage(v string) bool {
	if v == "" || strings.HasPrefix(v, "data:") || strings.HasPrefix(strings.ToLower(v), "javascript:") {
		return false
	}
	l := strings.ToLower(v)
	return !strings.Contains(l, "blank.gif") && !strings.Contains(l, "spacer") && !strings.Contains(l, "loading.gif")
}

// imageField prefers an image inside the name link's sibling image link,
// which is the first image of the card on every layout seen; icons (tiny
// declared sizes) are skipped.
func imageField(link *html.Node, imgs []*html.Node) autoField {
	for _, img := range imgs {
		if w, err := strconv.Atoi(strings.TrimSuffix(attrValue(img, "width"), "px")); err == nil && w > 0 && w < 50 {
			continue
		}
		if v, k := imageSrcAttr(img); v != "" {
			return autoField{node: img, attr: k, value: v}
		}
	}
	return autoField{}
}

// priceField is the price element: one whose class says price, else the
// smallest element whose text is a price.
func (d *detection) priceField(all []*html.Node) autoField {
	var best *html.Node
	bestLen := 1 << 30
	for _, n := range all {
		cls := strings.ToLower(attrValue(n, "class"))
		if !strings.Contains(cls, "price") || strings.Contains(cls, "market") || strings.Contains(cls, "old") ||
			strings.Contains(cls, "origin") || strings.Contains(cls, "del") {
			continue
		}
		t, ok := d.text(n, 40)
		if l := utf8.RuneCountInString(t); ok && l > 0 && parsePrice(t) > 0 {
			return autoField{node: n, value: t}
		}
		if v := strings.TrimSpace(attrValue(n, "data-price")); parsePrice(v) > 0 {
			return autoField{node: n, attr: "data-price", value: v}
		}
	}
	for _, n := range all {
		if n.Data == "del" || n.Data == "s" {
			continue
		}
		t, ok := d.text(n, 30)
		l := utf8.RuneCountInString(t)
		if !ok || l == 0 || l >= bestLen || !autoPriceMark.MatchString(t) || parsePrice(t) <= 0 || inDel(n) {
			continue
		}
		best, bestLen = n, l
	}
	if best == nil {
		return autoField{}
	}
	t, _ := d.text(best, 30)
	return autoField{node: best, value: t}
}

func inDel(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Data == "del" || p.Data == "s" {
			return true
		}
	}
	return false
}

// sellerField is the shop: a link to a shop, an element whose class says
// shop or seller, or a short text ending in 店.
func (d *detection) sellerField(links, all []*html.Node, itemLink *html.Node) autoField {
	for _, a := range links {
		if a == itemLink {
			continue
		}
		href := strings.ToLower(attrValue(a, "href"))
		if !(strings.Contains(href, "shop") || strings.Contains(href, "mall.") || strings.Contains(href, "store") || strings.Contains(href, "seller")) {
			continue
		}
		if t := strings.TrimSpace(attrValue(a, "title")); t != "" && utf8.RuneCountInString(t) <= 40 {
			return autoField{node: a, attr: "title", value: t}
		}
		if t, ok := d.text(a, 40); t != "" && ok {
			return autoField{node: a, value: t}
		}
	}
	for _, n := range all {
		cls := strings.ToLower(attrValue(n, "class"))
		if !(strings.Contains(cls, "shop") || strings.Contains(cls, "seller") || strings.Contains(cls, "store")) {
			continue
		}
		if t, ok := d.text(n, 40); t != "" && ok {
			return autoField{node: n, value: t}
		}
	}
	for _, n := range all {
		if n.FirstChild == nil || n.FirstChild != n.LastChild || n.FirstChild.Type != html.TextNode {
			continue
		}
		t := strings.TrimSpace(n.FirstChild.Data)
		if l := utf8.RuneCountInString(t); l >= 3 && l <= 30 && autoSellerText.MatchString(t) {
			return autoField{node: n, value: t}
		}
	}
	return autoField{}
}

// locationField is a short element whose whole text is a province and
// perhaps a city ("浙江 杭州", "广东省深圳市").
func (d *detection) locationField(all []*html.Node) autoField {
	for _, n := range all {
		t, ok := d.text(n, 16)
		if t == "" || !ok || strings.Contains(t, "货") || strings.Contains(t, "配送") || strings.Contains(t, "仓") {
			continue
		}
		if autoLocation.MatchString(cleanText(t)) && !d.hasElementChildWithText(n) {
			return autoField{node: n, value: t}
		}
	}
	return autoField{}
}

func (d *detection) hasElementChildWithText(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if t, _ := d.text(c, 16); c.Type == html.ElementNode && t != "" {
			return true
		}
	}
	return false
}
