-- markwatch schema, version 7: seller networks (docs/SIGNALS.md).
-- sellers: one shop on one platform, identified by its shop key (the name
-- without 旗舰店/专营店 …, see package seller; "name:" and the plain name
-- when the name reduces to less than a key). network_id is the network the
-- shop belongs to: sellers that share any contact (seller_contacts) have
-- the same network_id, kept so by merging when a contact is recorded, so a
-- network is one indexed lookup. A new seller starts its own network
-- (network_id = its id).
CREATE TABLE sellers (
    id         INTEGER PRIMARY KEY,
    platform   TEXT    NOT NULL,
    shop_key   TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    location   TEXT    NOT NULL DEFAULT '',
    network_id INTEGER NOT NULL DEFAULT 0,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    UNIQUE (platform, shop_key)
);
CREATE INDEX sellers_network ON sellers (network_id);

-- seller_contacts: the contacts found on a seller's pages (phone, WeChat,
-- QQ, address) and its shop key (kind 'shop', which links the same shop
-- name across platforms). (kind, value) finds every seller sharing one.
CREATE TABLE seller_contacts (
    seller_id  INTEGER NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('phone', 'wechat', 'qq', 'address', 'shop')),
    value      TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (seller_id, kind, value)
) WITHOUT ROWID;
CREATE INDEX seller_contacts_value ON seller_contacts (kind, value);

-- Listings and alerts stored before this version have no seller: shop keys
-- are computed in Go, so they are filled in when the listing is seen again.
-- An alert keeps the seller of its first sighting, like its seller name.
ALTER TABLE listings ADD COLUMN seller_id INTEGER REFERENCES sellers (id);
ALTER TABLE alerts ADD COLUMN seller_id INTEGER REFERENCES sellers (id);
CREATE INDEX listings_seller ON listings (seller_id) WHERE seller_id IS NOT NULL;
CREATE INDEX alerts_seller ON alerts (seller_id, first_seen DESC) WHERE seller_id IS NOT NULL;
