package match

import (
	"math/bits"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxImageDistance is the most bits a listing photo's perceptual hash may
// differ from a reference image's to count as the same picture: a seller's
// crop, watermark or recompression of a product shot moves a few bits, an
// unrelated picture about half of them.
const maxImageDistance = 8

// The image index is a multi-index hash over imageChunks = 9 disjoint
// chunks of the 64 bits (one of 8 bits, eight of 7). Two hashes within
// maxImageDistance = 8 bits cannot differ in all nine chunks, so some chunk
// is equal: looking up each chunk's bucket exactly finds every reference
// image in range. Each bucket stores its images' hashes inline, so a lookup
// is nine sequential scans of about 1/128 of the images each (a registry of
// 10,000 marks with two images: nine runs of ~150 hashes, a few cache
// misses) rather than scattered probes, which matter more than the count of
// comparisons once matching titles has pushed the index out of cache.
const imageChunks = 9

var imageChunkBits = [imageChunks]uint{8, 7, 7, 7, 7, 7, 7, 7, 7}

type imageIndex struct {
	n     int
	mark  []int32 // the image's mark (index into Matcher.marks)
	ref   []int32 // the image's index in the mark's Images
	shift [imageChunks]uint
	// bucket b of chunk c holds the images hash[c][off[c][b]:off[c][b+1]]
	// with their ids in id[c] at the same places
	off  [imageChunks][]int32
	hash [imageChunks][]domain.PHash
	id   [imageChunks][]int32
}

// imageHit is the closest reference image of one mark to a listing photo.
type imageHit struct {
	mark, ref int32
	dist      int
}

func (ix *imageIndex) chunk(h domain.PHash, c int) uint32 {
	return uint32(uint64(h)>>ix.shift[c]) & (1<<imageChunkBits[c] - 1)
}

// buildImageIndex files every reference image with a hash; a zero hash is
// a flat picture and no evidence.
func buildImageIndex(marks []domain.Mark) imageIndex {
	var ix imageIndex
	var hashes []domain.PHash
	for mi, mk := range marks {
		for ri, img := range mk.Images {
			if img.Hash != 0 {
				hashes = append(hashes, img.Hash)
				ix.mark = append(ix.mark, int32(mi))
				ix.ref = append(ix.ref, int32(ri))
			}
		}
	}
	ix.n = len(hashes)
	if ix.n == 0 {
		return ix
	}
	shift := uint(0)
	for c := range imageChunks {
		ix.shift[c] = shift
		shift += imageChunkBits[c]
		n := 1 << imageChunkBits[c]
		off := make([]int32, n+1)
		for _, h := range hashes {
			off[ix.chunk(h, c)+1]++
		}
		for b := 1; b <= n; b++ {
			off[b] += off[b-1]
		}
		hs, ids := make([]domain.PHash, len(hashes)), make([]int32, len(hashes))
		fill := append([]int32(nil), off[:n]...)
		for i, h := range hashes {
			b := ix.chunk(h, c)
			hs[fill[b]], ids[fill[b]] = h, int32(i)
			fill[b]++
		}
		ix.off[c], ix.hash[c], ix.id[c] = off, hs, ids
	}
	return ix
}

// lookup appends to out, per mark, the closest reference image within
// maxImageDistance of h, and returns out.
func (ix *imageIndex) lookup(h domain.PHash, out []imageHit) []imageHit {
	if h == 0 || ix.n == 0 {
		return out
	}
	from := len(out)
	for c := range imageChunks {
		b := ix.chunk(h, c)
		lo, hi := ix.off[c][b], ix.off[c][b+1]
		for k, rh := range ix.hash[c][lo:hi] {
			// (a popcount instruction, not PHash.Distance's loop: this runs
			// a thousand times a listing photo)
			d := bits.OnesCount64(uint64(h ^ rh))
			if d > maxImageDistance {
				continue
			}
			i := ix.id[c][int(lo)+k]
			out = addImageHit(out, from, imageHit{mark: ix.mark[i], ref: ix.ref[i], dist: d})
		}
	}
	return out
}

// addImageHit keeps one hit per mark, the closest (then the first listed).
func addImageHit(out []imageHit, from int, h imageHit) []imageHit {
	for k := from; k < len(out); k++ {
		if out[k].mark == h.mark {
			if h.dist < out[k].dist || (h.dist == out[k].dist && h.ref < out[k].ref) {
				out[k] = h
			}
			return out
		}
	}
	return append(out, h)
}
