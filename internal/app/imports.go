package app

// Blank imports pin every module the packages in flight need, so go.sum holds
// them while the parts are written in parallel. Removed once app imports them.
import (
	_ "github.com/PuerkitoBio/goquery"
	_ "github.com/cenkalti/backoff/v5"
	_ "github.com/chromedp/chromedp"
	_ "github.com/coregx/ahocorasick"
	_ "github.com/gocolly/colly/v2"
	_ "github.com/gocolly/colly/v2/queue"
	_ "github.com/longbridgeapp/opencc"
	_ "github.com/meilisearch/meilisearch-go"
	_ "github.com/mozillazg/go-pinyin"
	_ "github.com/mtibben/confusables"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/collectors"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/robfig/cron/v3"
	_ "go.uber.org/zap"
	_ "go.uber.org/zap/zaptest"
	_ "golang.org/x/net/html"
	_ "golang.org/x/net/html/charset"
	_ "golang.org/x/text/encoding/simplifiedchinese"
	_ "golang.org/x/text/unicode/norm"
	_ "golang.org/x/text/width"
	_ "gopkg.in/yaml.v3"
	_ "modernc.org/sqlite"
)
