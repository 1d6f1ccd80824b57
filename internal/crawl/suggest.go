package crawl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// Suggestion is a source definition proposed from a saved page: the CSS
// selectors that read, on that page, the listings auto-detection finds.
type Suggestion struct {
	// Item is the item selector; Fields the field selectors inside it.
	Item   string
	Fields Fields
	// Listings is how many listings the page yields, by auto-detection and
	// (when Mismatches is empty) by the proposed selectors alike.
	Listings int
	// Mismatches names, per field, the cards on which the best selector
	// found reads another value than auto-detection did.
	Mismatches []string
	// YAML is the proposed definition, ready for ParseSource once its
	// search URL is checked.
	YAML []byte
}

// Suggest proposes a source definition from a saved page (see Suggestion).
// pageURL, when given, is the page's address: links are resolved against it
// and the search URL is guessed from it.
func Suggest(pageURL string, body []byte, contentType string) (Suggestion, error) {
	text, _, err := decodeBody(body, contentType)
	if err != nil {
		return Suggestion{}, &ExtractError{Kind: KindEncoding, Err: fmt.Errorf("decoding %s: %w", pageURL, err)}
	}
	base, err := parseBase(pageURL)
	if err != nil {
		return Suggestion{}, &ExtractError{Kind: KindParse, Err: err}
	}
	d, err := detectHTML(base, text)
	if err != nil {
		return Suggestion{}, &ExtractError{Kind: KindParse, Err: err}
	}
	if d.group == nil || len(d.cards) == 0 {
		return Suggestion{}, errors.New("no repeated listing blocks found on the page")
	}
	var s Suggestion
	s.Listings = len(d.page().Listings)
	var members []*html.Node
	for _, i := range d.group.members {
		members = append(members, d.nodes[i].n)
	}
	cards := d.allCards(members)
	if lifted, ok := liftItems(cards); ok {
		// A card that is one link with its text inside: CSS selectors
		// read inside an item, so the item is the link's parent.
		members = lifted
		cards = d.allCards(members)
	}
	s.Item = itemSelector(d.root, members)
	fields := []struct {
		name string
		get  func(autoCard) autoField
		to   *Selectors
	}{
		{"title", func(c autoCard) autoField { return c.title }, &s.Fields.Title},
		{"price", func(c autoCard) autoField { return c.price }, &s.Fields.Price},
		{"seller", func(c autoCard) autoField { return c.seller }, &s.Fields.Seller},
		{"location", func(c autoCard) autoField { return c.location }, &s.Fields.Location},
		{"url", func(c autoCard) autoField { return c.url }, &s.Fields.URL},
		{"image", func(c autoCard) autoField { return c.image }, &s.Fields.Image},
	}
	for _, f := range fields {
		norm := normText
		if f.name == "price" {
			norm = normPrice
		}
		sels, bad := fieldSelector(cards, f.get, norm)
		*f.to = sels
		if bad > 0 {
			s.Mismatches = append(s.Mismatches, fmt.Sprintf("%s: %d of %d cards", f.name, bad, len(cards)))
		}
	}
	if len(s.Fields.Title) == 0 {
		// ParseSource requires a title; nothing inside the item reads it.
		s.Fields.Title = Selectors{"@title"}
		s.Mismatches = append(s.Mismatches, "title: no selector inside the item reads it")
	}
	if len(s.Fields.URL) == 0 {
		s.Fields.URL = Selectors{"a@href"}
		s.Mismatches = append(s.Mismatches, "url: no selector inside the item reads it")
	}
	s.YAML = suggestYAML(pageURL, base, s)
	return s, nil
}

// allCards reads every member, also those auto-detection drops, so the
// selectors are checked to drop them too.
func (d *detection) allCards(members []*html.Node) []autoCard {
	out := make([]autoCard, 0, len(members))
	for _, m := range members {
		c, ok := d.readCard(m)
		if !ok {
			// readItems drops it when title or URL is empty: expect that.
			c.title = autoField{}
		}
		out = append(out, c)
	}
	return out
}

// liftItems returns the items' parents when a text field was read from the
// item element itself (which no selector inside it can reach) and every
// item has a parent of its own.
func liftItems(cards []autoCard) ([]*html.Node, bool) {
	self := false
	for _, c := range cards {
		for _, f := range []autoField{c.title, c.price, c.seller, c.location} {
			self = self || f.node == c.item && f.attr == ""
		}
	}
	if !self {
		return nil, false
	}
	seen := map[*html.Node]bool{}
	out := make([]*html.Node, 0, len(cards))
	for _, c := range cards {
		p := c.item.Parent
		if p == nil || p.Type != html.ElementNode || seen[p] || p.Data == "body" || p.Data == "html" {
			return nil, false
		}
		seen[p] = true
		out = append(out, p)
	}
	return out, true
}

// itemSelector is the shortest selector, from the member's own tag.class up
// to its full path, that selects exactly the members; classes rather than
// positions. Without an exact one, the full path is returned.
func itemSelector(root *html.Node, members []*html.Node) string {
	chain := []*html.Node{}
	for n := members[0]; n != nil && n.Type == html.ElementNode; n = n.Parent {
		chain = append(chain, n)
	}
	var cands []string
	own := members[0]
	cands = append(cands, stepVariants(elementSig(own))...)
	// Anchored on an ancestor: its id when it has a stable one, else the
	// path of tag.class steps.
	steps := []string{elementSig(own)}
	for i := 1; i < len(chain) && i < 12; i++ {
		a := chain[i]
		if id := attrValue(a, "id"); id != "" && cssIdent(id) && !autoUnstableClass.MatchString(id) {
			cands = append(cands, "#"+id+" "+steps[0], "#"+id+" > "+strings.Join(steps, " > "))
		}
		for _, v := range stepVariants(elementSig(a)) {
			cands = append(cands, v+" > "+steps[0])
		}
		steps = append([]string{elementSig(a)}, steps...)
		cands = append(cands, strings.Join(steps, " > "))
	}
	for _, c := range cands {
		sel, err := cascadia.Compile(c)
		if err != nil {
			continue
		}
		if slices.Equal(matchBelow(sel, root), members) {
			return c
		}
	}
	return strings.Join(steps, " > ")
}

// fieldSelector proposes the selectors of one field and counts the cards on
// which they read another value than auto-detection.
func fieldSelector(cards []autoCard, get func(autoCard) autoField, norm func(string) string) (Selectors, int) {
	var attrs []string
	var cands [][]string // relative paths (steps) from cards where the field is found
	positions := map[string][]int{}
	present := 0
	for _, c := range cards {
		f := get(c)
		if f.node == nil || f.value == "" {
			continue
		}
		present++
		if !slices.Contains(attrs, f.attr) {
			attrs = append(attrs, f.attr)
		}
		if len(cands) < 4 {
			if steps, ok := relSteps(c.item, f.node); ok && !slices.ContainsFunc(cands, func(s []string) bool { return slices.Equal(s, steps) }) {
				cands = append(cands, steps)
				positions[strings.Join(steps, "\x00")] = relPositions(c.item, f.node)
			}
		}
	}
	if present == 0 {
		return nil, 0
	}
	// Image attributes are tried in auto-detection's order.
	slices.SortStableFunc(attrs, func(a, b string) int { return attrRank(a) - attrRank(b) })
	var best Selectors
	bestBad := len(cards) + 1
	for _, path := range selectorPaths(cands, positions) {
		sels := make(Selectors, 0, len(attrs))
		for _, a := range attrs {
			s := path
			if a != "" {
				s += "@" + a
			}
			if s != "" {
				sels = append(sels, s)
			}
		}
		bad, err := countMismatches(cards, get, norm, sels)
		if err != nil || len(sels) == 0 {
			continue
		}
		if bad < bestBad {
			best, bestBad = sels, bad
			if bad == 0 {
				break
			}
		}
	}
	if best == nil {
		return nil, present
	}
	return best, bestBad
}

func attrRank(a string) int {
	if i := slices.Index(imageAttrs, a); i >= 0 {
		return i
	}
	return len(imageAttrs)
}

// relSteps are the tag.class steps from below item down to n; none when n is
// the item itself.
func relSteps(item, n *html.Node) ([]string, bool) {
	var steps []string
	for x := n; x != item; x = x.Parent {
		if x == nil || len(steps) > 24 {
			return nil, false
		}
		steps = append([]string{elementSig(x)}, steps...)
	}
	return steps, true
}

// relPositions are the nth-of-type positions of the steps relSteps gives.
func relPositions(item, n *html.Node) []int {
	var pos []int
	for x := n; x != item && x != nil; x = x.Parent {
		k := 1
		for sib := x.PrevSibling; sib != nil; sib = sib.PrevSibling {
			if sib.Type == html.ElementNode && sib.Data == x.Data {
				k++
			}
		}
		pos = append([]int{k}, pos...)
	}
	return pos
}

// selectorPaths turns step lists into candidate selectors: those anchored
// on a class first (a class names a role and survives reordering better
// than a bare tag), fewest steps first; then bare tags; then the full path
// with child combinators.
func selectorPaths(cands [][]string, positions map[string][]int) []string {
	type cand struct {
		sel   string
		class bool
		steps int
	}
	var out []cand
	add := func(sel string, steps int) {
		if !slices.ContainsFunc(out, func(c cand) bool { return c.sel == sel }) {
			out = append(out, cand{sel, strings.Contains(sel, "."), steps})
		}
	}
	for _, steps := range cands {
		if len(steps) == 0 {
			add("", 0)
			continue
		}
		k := len(steps)
		last := steps[k-1]
		add(last, 1)
		if t, _, ok := strings.Cut(last, "."); ok {
			add(t, 1)
		}
		for j := k - 2; j >= 0; j-- {
			for _, v := range stepVariants(steps[j]) {
				add(v+" "+last, 2)
				if t, _, ok := strings.Cut(last, "."); ok {
					add(v+" "+t, 2)
				}
			}
		}
		for l := 2; l <= k; l++ {
			add(strings.Join(steps[k-l:], " "), l)
		}
		add(strings.Join(steps, " > "), k+1)
	}
	// Positions only when no class or tag path reads the field (table
	// cells): the nth-of-type of the last step, anchored as above.
	for _, steps := range cands {
		k := len(steps)
		if k == 0 || positions == nil {
			continue
		}
		pos := positions[strings.Join(steps, "\x00")]
		if len(pos) != k {
			continue
		}
		nth := make([]string, k)
		for i := range steps {
			nth[i] = fmt.Sprintf("%s:nth-of-type(%d)", steps[i], pos[i])
		}
		add(nth[k-1], 100)
		for j := k - 2; j >= 0; j-- {
			add(steps[j]+" > "+nth[k-1], 101)
			add(nth[j]+" "+nth[k-1], 102)
		}
		add(strings.Join(nth, " > "), 103)
	}
	slices.SortStableFunc(out, func(a, b cand) int {
		if (a.steps >= 100) != (b.steps >= 100) {
			return a.steps - b.steps
		}
		if a.class != b.class {
			if a.class {
				return -1
			}
			return 1
		}
		return a.steps - b.steps
	})
	sels := make([]string, len(out))
	for i, c := range out {
		sels[i] = c.sel
	}
	return sels
}

// stepVariants are "div.p-name" and "div.p-name-type-2" for the step
// "div.p-name.p-name-type-2": one class at a time, then all of them.
func stepVariants(step string) []string {
	parts := strings.Split(step, ".")
	if len(parts) < 2 {
		return nil
	}
	var out, generic []string
	for _, c := range parts[1:] {
		if genericClass(c) {
			generic = append(generic, parts[0]+"."+c)
		} else {
			out = append(out, parts[0]+"."+c)
		}
	}
	if len(parts) > 2 {
		out = append(out, step)
	}
	return append(out, generic...)
}

// genericClass is a layout utility class, shared by unrelated elements.
func genericClass(c string) bool {
	switch strings.ToLower(c) {
	case "clearfix", "clear", "clr", "cf", "fl", "fr", "left", "right", "hide", "hidden", "show", "w", "wrap",
		"container", "row", "col", "box", "inner", "main", "content", "clearfloat", "fix":
		return true
	}
	return strings.HasPrefix(c, "col-") || strings.HasPrefix(c, "mt") && len(c) <= 4 || strings.HasPrefix(c, "mb") && len(c) <= 4
}

func countMismatches(cards []autoCard, get func(autoCard) autoField, norm func(string) string, sels Selectors) (int, error) {
	compiled, err := compileSels(sels)
	if err != nil {
		return 0, err
	}
	bad := 0
	for _, c := range cards {
		want := norm(get(c).value)
		got := ""
		for _, s := range compiled {
			if v, _ := s.value(c.item); v != "" {
				got = v
				break
			}
		}
		if norm(got) != want {
			bad++
		}
	}
	return bad, nil
}

// normText and normPrice are a value as a listing keeps it: two texts that
// give the same listing field are the same.
func normText(v string) string { return cleanText(v) }

func normPrice(v string) string { return fmt.Sprint(parsePrice(v)) }

// idWord keeps what an id may hold.
var idWord = regexp.MustCompile(`[^a-z0-9_-]+`)

func suggestYAML(pageURL string, base *url.URL, s Suggestion) []byte {
	id, search := "suggested", "https://search.example.com/s?q={query}"
	if base != nil && base.Host != "" {
		id = siteID(base.Hostname())
		u := url.URL{Scheme: base.Scheme, Host: base.Host, Path: base.Path}
		if u.Scheme == "" {
			u.Scheme = "https"
		}
		search = u.String() + "?q={query}"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Proposed by `markwatch extract --suggest` from a saved page")
	if pageURL != "" {
		fmt.Fprintf(&b, " of %s", oneLine(pageURL))
	}
	fmt.Fprintf(&b, ":\n# %d listings found by structure alone.", s.Listings)
	if len(s.Mismatches) > 0 {
		fmt.Fprintf(&b, " The selectors below read other values than\n# auto-detection on some cards: %s.", strings.Join(s.Mismatches, "; "))
	}
	b.WriteString("\n# Check search.url (the query parameter is a guess) and the fetch\n" +
		"# politeness, then try it: markwatch extract --source THIS.yaml PAGE\n")
	fmt.Fprintf(&b, "id: %s\nname: %s\nplatform: %s\n\n", id, yamlString(id), id)
	fmt.Fprintf(&b, "search:\n  url: %s\n\n", yamlString(search))
	b.WriteString("extract:\n  css:\n")
	fmt.Fprintf(&b, "    item: [%s]\n    fields:\n", yamlString(s.Item))
	s.Fields.each(func(name string, sels Selectors) {
		if len(sels) == 0 {
			return
		}
		quoted := make([]string, len(sels))
		for i, v := range sels {
			quoted[i] = yamlString(v)
		}
		fmt.Fprintf(&b, "      %s: [%s]\n", name, strings.Join(quoted, ", "))
	})
	return b.Bytes()
}

// siteID names a source after its site: "search.jd.com" → "jd",
// "list.tmall.com" → "tmall", "www.example.com.cn" → "example".
func siteID(host string) string {
	labels := strings.Split(strings.ToLower(host), ".")
	i := len(labels) - 2
	if i > 0 && slices.Contains([]string{"com", "net", "org", "gov", "edu", "co"}, labels[i]) {
		i--
	}
	if i < 0 {
		i = 0
	}
	id := idWord.ReplaceAllString(labels[i], "")
	if id == "" || !(id[0] >= 'a' && id[0] <= 'z') {
		return "suggested"
	}
	return id
}

// yamlString quotes s as a YAML double-quoted scalar (JSON's escapes are
// YAML's).
func yamlString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSpace(b.String())
}

func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}
