package imagesig

import (
	"bytes"
	"image/jpeg"
	"testing"
	"time"
)

// BenchmarkHash is the image signal's cost per listing: hashing one 800×800
// marketplace photo (JPEG, quality 85). The baseline, decoding the same
// JPEG alone, runs in the same benchmark; x-decode is the ratio.
func BenchmarkHash(b *testing.B) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, packaging(3, 800, 800), &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	body := buf.Bytes()
	var h Hasher
	var decode time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := h.Hash(body); err != nil {
			b.Fatal(err)
		}
		if i%16 == 0 {
			b.StopTimer()
			start := time.Now()
			if _, err := jpeg.Decode(bytes.NewReader(body)); err != nil {
				b.Fatal(err)
			}
			decode += time.Since(start)
			b.StartTimer()
		}
	}
	b.StopTimer()
	per := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	base := float64(decode.Nanoseconds()) / float64((b.N+15)/16)
	b.ReportMetric(per/1e6, "ms/image")
	b.ReportMetric(per/base, "x-decode")
	b.ReportMetric(float64(len(body))/1024, "KB/image")
}
