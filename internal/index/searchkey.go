package index

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/domain"
)

// searchKeyName names the API key tenant tokens are signed with. Meilisearch
// refuses tokens signed with the master key, and a search-only parent keeps a
// leaked token (or its signing key) from doing more than search this index.
const searchKeyName = "markwatch-tenant-search"

// searchKey is the parent key of tenant tokens: its uid goes into the token,
// its secret signs it.
type searchKey struct {
	uid, key string
}

// ensureSearchKey finds or creates this index's search key and keeps it in
// the client. It needs a key allowed to list and create API keys (the master
// key of a managed server); any other refusal is reported as EUNAVAILABLE
// with what to configure, because scoped search must not run without it.
func (c *Client) ensureSearchKey(ctx context.Context) (searchKey, error) {
	c.tenant.keyMu.Lock() // one lookup at a time; the others wait for its key
	defer c.tenant.keyMu.Unlock()
	c.tenant.mu.Lock()
	k := c.tenant.key
	c.tenant.mu.Unlock()
	if k.uid != "" {
		return k, nil
	}
	k, err := c.findOrCreateSearchKey(ctx)
	if err != nil {
		return searchKey{}, err
	}
	c.tenant.mu.Lock()
	c.tenant.key = k
	c.tenant.mu.Unlock()
	return k, nil
}

// forgetSearchKey drops the key and every token signed with it, after
// Meilisearch refused one: the key may have been deleted (which revokes its
// tokens) and the next scoped search looks it up again.
func (c *Client) forgetSearchKey() {
	c.tenant.mu.Lock()
	defer c.tenant.mu.Unlock()
	c.tenant.key = searchKey{}
	clear(c.tenant.tokens.m)
}

func (c *Client) findOrCreateSearchKey(ctx context.Context) (searchKey, error) {
	what := "finding the tenant search key for index " + c.name
	const page = 100
	for offset := int64(0); ; offset += page {
		res, err := c.ms.GetKeys(ctx, &ms.KeysQuery{Limit: page, Offset: offset})
		if err != nil {
			return searchKey{}, keyError(what, err)
		}
		for _, k := range res.Results {
			if c.isSearchKey(k) {
				return searchKey{uid: k.UID, key: k.Key}, nil
			}
		}
		if len(res.Results) < page || offset+page >= res.Total {
			break
		}
	}
	what = "creating the tenant search key for index " + c.name
	k, err := c.ms.CreateKey(ctx, &ms.Key{
		Name: searchKeyName,
		Description: "markwatch: parent of the short-lived tenant tokens that scope searches of index " +
			c.name + " to an owner's marks or a jurisdiction; search only. Deleting it revokes them.",
		Actions: []string{"search"},
		Indexes: []string{c.name},
	})
	if err != nil {
		return searchKey{}, keyError(what, err)
	}
	if k.UID == "" || k.Key == "" {
		return searchKey{}, domain.Errorf(domain.EUNAVAILABLE, "%s: Meilisearch returned a key without uid or secret", what)
	}
	return searchKey{uid: k.UID, key: k.Key}, nil
}

// isSearchKey reports whether k is one this client created: same name, only
// search, only this index, never expiring. A key an operator narrowed or
// widened by hand is left alone and a new one made.
func (c *Client) isSearchKey(k ms.Key) bool {
	return k.Name == searchKeyName && slices.Equal(k.Actions, []string{"search"}) &&
		slices.Equal(k.Indexes, []string{c.name}) && k.ExpiresAt.IsZero() && k.UID != "" && k.Key != ""
}

// keyError turns a refusal to list or create keys into EUNAVAILABLE with the
// fix: the client was configured with a key that cannot manage keys.
func keyError(what string, err error) error {
	if isAuthRefusal(err) {
		return fmt.Errorf("%s: %w: %w", what, domain.Errorf(domain.EUNAVAILABLE,
			"scoped search needs a Meilisearch admin (or master) key that may list and create API keys, "+
				"and the configured meilisearch key was refused; configure an admin key"), err)
	}
	if isUnavailable(err) {
		return unavailable(what, err)
	}
	// Anything else fails closed too: without the key there is no scoped search.
	return fmt.Errorf("%s: %w: %w", what, domain.Errorf(domain.EUNAVAILABLE, "scoped search is unavailable"), err)
}

// isAuthRefusal reports whether Meilisearch refused the request's key:
// missing, invalid, lacking the action, or a tenant token expired or revoked.
func isAuthRefusal(err error) bool {
	var me *ms.Error
	return errors.As(err, &me) && (me.StatusCode == http.StatusUnauthorized || me.StatusCode == http.StatusForbidden)
}
