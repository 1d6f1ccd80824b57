package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
)

// RFC 6962 hashing by hand: leaf = SHA-256(0x00 || data), node =
// SHA-256(0x01 || left || right), the split at the largest power of two
// below the size.
func h(parts ...[]byte) []byte {
	s := sha256.New()
	for _, p := range parts {
		s.Write(p)
	}
	return s.Sum(nil)
}

func leafH(d []byte) []byte    { return h([]byte{0}, d) }
func nodeH(l, r []byte) []byte { return h([]byte{1}, l, r) }

func testLeaves(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		sum := sha256.Sum256([]byte(fmt.Sprintf("capture %d", i)))
		out[i] = sum[:]
	}
	return out
}

func TestRootHandComputed(t *testing.T) {
	l := testLeaves(5)
	a, b, c, d, e := leafH(l[0]), leafH(l[1]), leafH(l[2]), leafH(l[3]), leafH(l[4])
	for _, tc := range []struct {
		size int
		want []byte
	}{
		{0, h()},
		{1, a},
		{2, nodeH(a, b)},
		{3, nodeH(nodeH(a, b), c)},
		{4, nodeH(nodeH(a, b), nodeH(c, d))},
		{5, nodeH(nodeH(nodeH(a, b), nodeH(c, d)), e)},
	} {
		if got := Root(l[:tc.size]); !bytes.Equal(got, tc.want) {
			t.Errorf("size %d: root %x, want %x", tc.size, got, tc.want)
		}
	}
	// The empty root is RFC 6962's: SHA-256 of nothing.
	if got := hex.EncodeToString(Root(nil)); got != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("empty root %s", got)
	}
}

// A changed, removed, added or swapped leaf changes the root.
func TestRootChangesWithAnyLeaf(t *testing.T) {
	l := testLeaves(13)
	want := Root(l)
	for i := range l {
		m := cloneLeaves(l)
		m[i] = append([]byte(nil), m[i]...)
		m[i][31] ^= 1
		if bytes.Equal(Root(m), want) {
			t.Errorf("flipping a bit of leaf %d kept the root", i)
		}
		removed := append(cloneLeaves(l[:i]), l[i+1:]...)
		if bytes.Equal(Root(removed), want) {
			t.Errorf("removing leaf %d kept the root", i)
		}
		if i+1 < len(l) {
			s := cloneLeaves(l)
			s[i], s[i+1] = s[i+1], s[i]
			if bytes.Equal(Root(s), want) {
				t.Errorf("swapping leaves %d and %d kept the root", i, i+1)
			}
		}
	}
	if bytes.Equal(Root(append(cloneLeaves(l), l[0])), want) {
		t.Error("appending a leaf kept the root")
	}
}

func TestInclusionProofs(t *testing.T) {
	// By hand for size 3, leaf 2: its path is the root of leaves 0–1.
	l := testLeaves(17)
	p, err := InclusionProof(l[:3], 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 1 || !bytes.Equal(p[0], nodeH(leafH(l[0]), leafH(l[1]))) {
		t.Errorf("proof of leaf 2 of 3 = %x", p)
	}
	// Leaf 0 of 5: siblings b, (c d), e.
	p, err = InclusionProof(l[:5], 0)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{leafH(l[1]), nodeH(leafH(l[2]), leafH(l[3])), leafH(l[4])}
	if len(p) != 3 || !bytes.Equal(p[0], want[0]) || !bytes.Equal(p[1], want[1]) || !bytes.Equal(p[2], want[2]) {
		t.Errorf("proof of leaf 0 of 5 = %x, want %x", p, want)
	}
	for size := 1; size <= len(l); size++ {
		root := Root(l[:size])
		for i := 0; i < size; i++ {
			p, err := InclusionProof(l[:size], int64(i))
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyInclusion(int64(i), int64(size), l[i], p, root); err != nil {
				t.Errorf("leaf %d of %d: %v", i, size, err)
			}
			other := append([]byte(nil), l[i]...)
			other[0] ^= 1
			if VerifyInclusion(int64(i), int64(size), other, p, root) == nil {
				t.Errorf("leaf %d of %d: an altered leaf verified", i, size)
			}
			if size > 1 && VerifyInclusion(int64((i+1)%size), int64(size), l[i], p, root) == nil {
				t.Errorf("leaf %d of %d: verified at another index", i, size)
			}
		}
	}
	if _, err := InclusionProof(l[:3], 3); err == nil {
		t.Error("proof past the end")
	}
	if _, err := InclusionProof(l[:3], -1); err == nil {
		t.Error("proof of a negative index")
	}
}

func TestLeafData(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	for _, in := range [][]byte{sum[:], []byte(hex.EncodeToString(sum[:]))} {
		got, err := LeafData(in)
		if err != nil || !bytes.Equal(got, sum[:]) {
			t.Errorf("LeafData(%q) = %x, %v", in, got, err)
		}
	}
	for _, in := range [][]byte{nil, []byte("zz"), bytes.Repeat([]byte("g"), 64)} {
		if _, err := LeafData(in); err == nil {
			t.Errorf("LeafData(%q) accepted", in)
		}
	}
}

func cloneLeaves(l [][]byte) [][]byte { return append([][]byte(nil), l...) }
