package index

// pageWindow maps an offset and limit onto Meilisearch's page/hitsPerPage
// paging, the only mode in which it counts matches exhaustively (offset and
// limit give an estimate). It returns the smallest page size of at least
// limit whose one page holds the whole window, the page number (from 1),
// and how many hits of that page come before the window. Measured over
// offsets to 100,000: the page is at most 6.5 times the limit (limit 2),
// usually under twice it.
func pageWindow(offset, limit int) (page, perPage, skip int) {
	perPage = limit
	// Terminates: perPage = offset+limit puts the window on page 1.
	for offset/perPage != (offset+limit-1)/perPage {
		perPage++
	}
	page = offset/perPage + 1
	return page, perPage, offset - (page-1)*perPage
}
