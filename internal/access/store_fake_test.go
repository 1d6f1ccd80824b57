package access

import (
	"context"
	"sync"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// fakeStore is an in-memory Store that counts what the authenticator asks,
// so tests can prove a refusal happened before any lookup.
type fakeStore struct {
	mu       sync.Mutex
	users    map[int64]domain.User
	hashes   map[int64]string
	sessions map[string]domain.Session
	tokens   map[string]domain.APIToken // by hash
	calls    map[string]int
}

func newFakeStore() *fakeStore {
	return &fakeStore{users: map[int64]domain.User{}, hashes: map[int64]string{},
		sessions: map[string]domain.Session{}, tokens: map[string]domain.APIToken{}, calls: map[string]int{}}
}

func notFound(what string) error { return domain.Errorf(domain.ENOTFOUND, "%s not found", what) }

func (s *fakeStore) count(name string) {
	s.calls[name]++
}

func (s *fakeStore) callCount(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[name]
}

func (s *fakeStore) totalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

func (s *fakeStore) addUser(u domain.User, hash string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
	s.hashes[u.ID] = hash
}

func (s *fakeStore) setDisabled(id int64, d bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[id]
	u.Disabled = d
	s.users[id] = u
}

func (s *fakeStore) addToken(t domain.APIToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[t.Hash] = t
}

func (s *fakeStore) session(hash string) (domain.Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.sessions[hash]
	return v, ok
}

func (s *fakeStore) GetPasswordHash(_ context.Context, name string) (domain.User, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count("GetPasswordHash")
	for id, u := range s.users {
		if u.Name == name {
			return u, s.hashes[id], nil
		}
	}
	return domain.User{}, "", notFound("user")
}

func (s *fakeStore) GetUser(_ context.Context, id int64) (domain.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count("GetUser")
	u, ok := s.users[id]
	if !ok {
		return domain.User{}, notFound("user")
	}
	return u, nil
}

func (s *fakeStore) CreateSession(_ context.Context, se domain.Session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count("CreateSession")
	s.sessions[se.TokenHash] = se
	return nil
}

func (s *fakeStore) GetSession(_ context.Context, h string) (domain.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count("GetSession")
	se, ok := s.sessions[h]
	if !ok {
		return domain.Session{}, notFound("session")
	}
	return se, nil
}

func (s *fakeStore) TouchSession(_ context.Context, h string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count("TouchSession")
	se, ok := s.sessions[h]
	if !ok {
		return notFound("session")
	}
	se.LastSeen = at
	s.sessions[h] = se
	return nil
}

func (s *fakeStore) DeleteSession(_ context.Context, h string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count("DeleteSession")
	delete(s.sessions, h)
	return nil
}

func (s *fakeStore) GetTokenByHash(_ context.Context, h string) (domain.APIToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count("GetTokenByHash")
	t, ok := s.tokens[h]
	if !ok {
		return domain.APIToken{}, notFound("token")
	}
	return t, nil
}

func (s *fakeStore) TouchToken(_ context.Context, id int64, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count("TouchToken")
	for h, t := range s.tokens {
		if t.ID == id {
			at := at
			t.LastUsedAt = &at
			s.tokens[h] = t
			return nil
		}
	}
	return notFound("token")
}

// SetPasswordHash drops every session of the user, as the real store does.
func (s *fakeStore) SetPasswordHash(_ context.Context, id int64, hash string, mustChange bool, _ domain.Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count("SetPasswordHash")
	u, ok := s.users[id]
	if !ok {
		return notFound("user")
	}
	u.MustChangePassword = mustChange
	s.users[id] = u
	s.hashes[id] = hash
	for h, se := range s.sessions {
		if se.UserID == id {
			delete(s.sessions, h)
		}
	}
	return nil
}
