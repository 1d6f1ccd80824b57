// Package evidence keeps what markwatch saw of a listing so that it holds
// up later: artefacts stored by content and never modified (Blobs), capture
// records hashed in a canonical form (RecordHash) that are the leaves of an
// append-only RFC 6962 Merkle log (Root, InclusionProof), tree heads signed
// with ed25519 (Signer) and stamped by an RFC 3161 Time-Stamping Authority
// (TSAClient, Notary), capture jobs that need the network or a browser
// (Worker), and Verify, which recomputes all of it and names what was
// altered. See docs/EVIDENCE.md for the contract with the store and the
// pipeline.
package evidence
