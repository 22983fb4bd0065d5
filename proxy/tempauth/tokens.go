package tempauth

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// tokenStore keeps the tokens handed out, in memory (Swift keeps them in
// memcache). A user has at most one token at a time: asking again while
// it lives returns it, and a new one replaces it once it has expired, so
// the store never holds more tokens than there are users. An expired token
// is refused and forgotten when next seen. Safe for concurrent use.
type tokenStore struct {
	prefix string // the reseller prefix tokens start with
	life   time.Duration

	mu      sync.Mutex
	byToken map[string]tokenEntry // guarded by mu
	byUser  map[string]string     // "account:user" -> its token; guarded by mu
}

type tokenEntry struct {
	user    *user
	expires time.Time
}

func newTokenStore(prefix string, life time.Duration) *tokenStore {
	return &tokenStore{prefix: prefix, life: life, byToken: map[string]tokenEntry{}, byUser: map[string]string{}}
}

// get returns the user a token belongs to, if the token is known and has
// not expired at now.
func (s *tokenStore) get(token string, now time.Time) (*user, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byToken[token]
	if !ok {
		return nil, false
	}
	if !now.Before(e.expires) {
		s.forgetLocked(token, e)
		return nil, false
	}
	return e.user, true
}

// issue returns u's token and when it expires: the one it has if that is
// still valid at now (reused), else a new one.
func (s *tokenStore) issue(u *user, now time.Time) (token string, expires time.Time, reused bool) {
	name := u.Name()
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.byUser[name]; ok {
		e := s.byToken[old]
		if now.Before(e.expires) {
			return old, e.expires, true
		}
		s.forgetLocked(old, e)
	}
	token = newToken(s.prefix)
	expires = now.Add(s.life)
	s.byToken[token] = tokenEntry{user: u, expires: expires}
	s.byUser[name] = token
	return token, expires, false
}

func (s *tokenStore) forgetLocked(token string, e tokenEntry) {
	delete(s.byToken, token)
	if name := e.user.Name(); s.byUser[name] == token {
		delete(s.byUser, name)
	}
}

// len is the number of tokens held (expired ones not yet seen included).
func (s *tokenStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byToken)
}

// newToken makes a token of Swift's form: the reseller prefix, "tk", and
// 32 random hex digits (128 bits from crypto/rand).
func newToken(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return prefix + "tk" + hex.EncodeToString(b[:])
}
