package domain

import (
	"fmt"
	"math/bits"
	"strconv"
	"time"
)

// PriceRange is a genuine price range of a mark's goods, per Unit (罐, 瓶,
// 箱, 斤 …) as it appears in titles ("240ml*20罐" is 20 of 罐). An empty Unit
// is the price of one listing whatever it holds. A listing priced far
// below Low for what it holds is a counterfeit signal (价格异常).
type PriceRange struct {
	Unit string  `json:"unit,omitempty"`
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// PHash is a 64-bit perceptual hash of an image (DCT pHash); images that
// look alike differ in few bits. Zero means "no hash": a flat image hashes
// to zero and is no evidence of anything. It reads and writes as 16 hex
// digits in JSON.
type PHash uint64

// Distance is the Hamming distance between two hashes, 0..64.
func (h PHash) Distance(o PHash) int { return bits.OnesCount64(uint64(h ^ o)) }

func (h PHash) String() string { return fmt.Sprintf("%016x", uint64(h)) }

// MarshalText writes 16 hex digits.
func (h PHash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads 1 to 16 hex digits.
func (h *PHash) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*h = 0
		return nil
	}
	if len(b) > 16 {
		return Errorf(EINVALID, "image hash %q: want at most 16 hex digits", b)
	}
	v, err := strconv.ParseUint(string(b), 16, 64)
	if err != nil {
		return Errorf(EINVALID, "image hash %q: want hex digits", b)
	}
	*h = PHash(v)
	return nil
}

// RefImage is a reference image of a mark (logo, packaging) listed in the
// registry; Hash is computed when the registry is loaded.
type RefImage struct {
	Path string `json:"path"`
	Hash PHash  `json:"hash,omitempty"`
}

// ContactKind is what a seller contact is.
type ContactKind string

const (
	ContactPhone   ContactKind = "phone"   // mobile or landline, digits only (landline with area code)
	ContactWeChat  ContactKind = "wechat"  // WeChat id, lower case
	ContactQQ      ContactKind = "qq"      // QQ number
	ContactAddress ContactKind = "address" // postal address, normalised
	ContactShop    ContactKind = "shop"    // normalised shop name (brand part without 旗舰店/专营店 …)
)

// Contact is one way to reach a seller found on its pages, normalised so
// that equal values mean the same seller.
type Contact struct {
	Kind  ContactKind `json:"kind"`
	Value string      `json:"value"`
}

// SellerHistory is what is known of a listing's seller network when the
// listing is matched: how many alerts of the network supervisors have
// confirmed, and through which shared contact the listing's seller joins
// it. Nil when the seller has no history.
type SellerHistory struct {
	NetworkID int64 `json:"network_id,omitempty"`
	Confirmed int   `json:"confirmed"`
	// Via says how this seller is linked to the confirmed ones, in words
	// ("电话 138****5678 与 鑫旺食品专营店"); empty when it is the same shop.
	Via string `json:"via,omitempty"`
}

// Seller is one shop on one platform as markwatch has seen it.
type Seller struct {
	ID        int64     `json:"id"`
	NetworkID int64     `json:"network_id"`
	Platform  string    `json:"platform"`
	Name      string    `json:"name"`
	Location  string    `json:"location,omitempty"`
	Contacts  []Contact `json:"contacts,omitempty"`
	Listings  int       `json:"listings"`
	Alerts    int       `json:"alerts"`
	Confirmed int       `json:"confirmed"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// SellerLink says two sellers of a network share a contact.
type SellerLink struct {
	From    int64   `json:"from"`
	To      int64   `json:"to"`
	Contact Contact `json:"contact"`
}

// SellerNetwork is a seller, the sellers linked to it (directly or through
// others) and the alerts raised on their listings, newest first.
type SellerNetwork struct {
	ID      int64        `json:"id"`
	Sellers []Seller     `json:"sellers"`
	Links   []SellerLink `json:"links"`
	Alerts  []Alert      `json:"alerts"`
}
