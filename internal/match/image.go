package match

import "github.com/markwatch/markwatch/internal/domain"

// maxImageDistance is the most bits a listing photo's perceptual hash may
// differ from a reference image's to count as the same picture: a seller's
// crop, watermark or recompression of a product shot moves a few bits, an
// unrelated picture about half of them.
const maxImageDistance = 8

// The image index is a multi-index hash over imageChunks disjoint chunks of
// the 64 bits (13, 13, 13, 13 and 12 bits). Two hashes within
// maxImageDistance = 8 bits cannot differ by two or more bits in every one
// of five chunks (that would be 10 bits), so some chunk differs by at most
// one bit: probing each chunk's value and its single-bit neighbours (5 × 14
// = 70 buckets of 2^13) finds every reference image in range, and each
// bucket holds about 1/8192 of the images, so a registry of 10,000 marks
// with a few images each costs a few dozen distance checks, not a scan.
const imageChunks = 5

var imageChunkBits = [imageChunks]uint{13, 13, 13, 13, 12}

type imageIndex struct {
	hash  []domain.PHash
	mark  []int32 // the image's mark (index into Matcher.marks)
	ref   []int32 // the image's index in the mark's Images
	shift [imageChunks]uint
	off   [imageChunks][]int32 // bucket b of chunk c holds ent[c][off[c][b]:off[c][b+1]]
	ent   [imageChunks][]int32
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
	for mi, mk := range marks {
		for ri, img := range mk.Images {
			if img.Hash != 0 {
				ix.hash = append(ix.hash, img.Hash)
				ix.mark = append(ix.mark, int32(mi))
				ix.ref = append(ix.ref, int32(ri))
			}
		}
	}
	if len(ix.hash) == 0 {
		return ix
	}
	shift := uint(0)
	for c := range imageChunks {
		ix.shift[c] = shift
		shift += imageChunkBits[c]
		n := 1 << imageChunkBits[c]
		off := make([]int32, n+1)
		for _, h := range ix.hash {
			off[ix.chunk(h, c)+1]++
		}
		for b := 1; b <= n; b++ {
			off[b] += off[b-1]
		}
		ent := make([]int32, len(ix.hash))
		fill := append([]int32(nil), off[:n]...)
		for i, h := range ix.hash {
			b := ix.chunk(h, c)
			ent[fill[b]] = int32(i)
			fill[b]++
		}
		ix.off[c], ix.ent[c] = off, ent
	}
	return ix
}

// lookup appends to out, per mark, the closest reference image within
// maxImageDistance of h, and returns out.
func (ix *imageIndex) lookup(h domain.PHash, out []imageHit) []imageHit {
	if h == 0 || len(ix.hash) == 0 {
		return out
	}
	from := len(out)
	for c := range imageChunks {
		v := ix.chunk(h, c)
		for b := -1; b < int(imageChunkBits[c]); b++ {
			probe := v
			if b >= 0 {
				probe ^= 1 << uint(b)
			}
			for _, i := range ix.ent[c][ix.off[c][probe]:ix.off[c][probe+1]] {
				d := h.Distance(ix.hash[i])
				if d > maxImageDistance {
					continue
				}
				out = addImageHit(out, from, imageHit{mark: ix.mark[i], ref: ix.ref[i], dist: d})
			}
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
