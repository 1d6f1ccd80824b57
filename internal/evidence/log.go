package evidence

import (
	"crypto"
	"encoding/hex"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/markwatch/markwatch/internal/domain"
)

// The evidence log is an RFC 6962 Merkle tree (SHA-256, leaf hashes
// prefixed 0x00, interior 0x01) over the captures ordered by log index;
// leaf i's data is the 32 bytes of capture i's record hash.

var hasher = rfc6962.New(crypto.SHA256)

// LeafData is the log leaf of a record hash: its 32 bytes. The store may
// hand leaves back as the bytes or as their 64 hex characters; both mean
// the same hash and are read the same way.
func LeafData(recordHash []byte) ([]byte, error) {
	switch len(recordHash) {
	case 32:
		return recordHash, nil
	case 64:
		b, err := hex.DecodeString(string(recordHash))
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "log leaf %q: not a hex SHA-256", recordHash)
		}
		return b, nil
	}
	return nil, domain.Errorf(domain.EINVALID, "log leaf of %d bytes: want a SHA-256 (32 bytes or 64 hex)", len(recordHash))
}

// Root is the RFC 6962 root hash of the tree over leaves (leaf data, not
// leaf hashes); the empty tree's root is SHA-256 of nothing.
func Root(leaves [][]byte) []byte {
	r := newRange()
	for _, l := range leaves {
		_ = r.Append(hasher.HashLeaf(l), nil) // appending to an empty-begun range cannot fail
	}
	return rangeRoot(r)
}

// InclusionProof is the audit path of leaf index in the tree over leaves
// (RFC 6962 section 2.1.1), for proof.VerifyInclusion against Root.
func InclusionProof(leaves [][]byte, index int64) ([][]byte, error) {
	size := uint64(len(leaves))
	if index < 0 || uint64(index) >= size {
		return nil, domain.Errorf(domain.EINVALID, "inclusion proof: leaf %d is outside a log of %d", index, size)
	}
	nodes, err := proof.Inclusion(uint64(index), size)
	if err != nil {
		return nil, fmt.Errorf("planning inclusion proof: %w", err)
	}
	hashes := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		begin, end := id.Coverage()
		hashes[i] = Root(leaves[begin:end])
	}
	return nodes.Rehash(hashes, hasher.HashChildren)
}

// VerifyInclusion checks that leaf (data) is at index in a tree of size
// with the given root.
func VerifyInclusion(index, size int64, leaf []byte, path [][]byte, root []byte) error {
	if index < 0 || size <= 0 {
		return domain.Errorf(domain.EINVALID, "inclusion proof: leaf %d of a log of %d", index, size)
	}
	if err := proof.VerifyInclusion(hasher, uint64(index), uint64(size), hasher.HashLeaf(leaf), path, root); err != nil {
		return fmt.Errorf("verifying inclusion of leaf %d in a log of %d: %w", index, size, err)
	}
	return nil
}

func newRange() *compact.Range {
	f := &compact.RangeFactory{Hash: hasher.HashChildren}
	return f.NewEmptyRange(0)
}

func rangeRoot(r *compact.Range) []byte {
	root, _ := r.GetRootHash(nil) // begins at 0, cannot fail
	if root == nil {
		return hasher.EmptyRoot()
	}
	return root
}
