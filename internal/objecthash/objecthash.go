// Package objecthash derives what storage nodes key objects by: the object
// hash (Swift's hash_path of the object's name), its suffix, and the suffix
// hash that replicas compare. Every object store computes them here, so
// that two stores (of any implementation) holding the same versions report
// equal suffix hashes.
//
// A suffix hash is the XOR, over the objects and tombstones of the suffix,
// of a 128-bit digest of each one's (object hash, Timestamp, MetaTimestamp,
// deleted). XOR makes it order-independent and lets a store update it in
// O(1) per write: remove the old version's digest, add the new one's.
package objecthash

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// ErrBadName is returned (wrapped) by Of for a name that is not
// "/account/container/object" with three non-empty parts.
var ErrBadName = errors.New("object name is not /account/container/object")

// Hash is an object's hash_path, the MD5 of its salted name.
type Hash [md5.Size]byte

// Of parses name ("/account/container/object"; the object part may contain
// slashes) and returns its hash.
func Of(salt hashpath.Salt, name string) (Hash, error) {
	account, container, object, ok := Split(name)
	if !ok {
		return Hash{}, fmt.Errorf("%w: %q", ErrBadName, name)
	}
	return hashpath.MD5(salt, account, container, object), nil
}

// Split splits "/account/container/object" into its parts; ok is false
// unless all three are non-empty.
func Split(name string) (account, container, object string, ok bool) {
	rest, found := strings.CutPrefix(name, "/")
	if !found {
		return "", "", "", false
	}
	account, rest, found = strings.Cut(rest, "/")
	if !found {
		return "", "", "", false
	}
	container, object, found = strings.Cut(rest, "/")
	if !found || account == "" || container == "" || object == "" {
		return "", "", "", false
	}
	return account, container, object, true
}

// Suffix is the hash's suffix, its last three hex digits as a number
// (0 to 0xfff).
func (h Hash) Suffix() uint16 { return hashpath.Suffix(h) }

// String is the hash in lowercase hex, Swift's directory name for it.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// SuffixString is the form of a suffix in SuffixHashes: three lowercase hex
// digits.
func SuffixString(suffix uint16) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[suffix>>8&0xf], digits[suffix>>4&0xf], digits[suffix&0xf]})
}

// ParseSuffix reads a suffix written by SuffixString.
func ParseSuffix(s string) (uint16, bool) {
	if len(s) != 3 {
		return 0, false
	}
	var v uint16
	for i := range 3 {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint16(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uint16(c-'a'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// Digest is a 128-bit suffix hash, or one object version's contribution to
// it.
type Digest [16]byte

// Entry is one version's contribution to its suffix's hash.
func Entry(h Hash, ts, metaTS timestamp.Timestamp, deleted bool) Digest {
	var buf [md5.Size + 2*timestamp.Size + 1]byte
	b := append(buf[:0], h[:]...)
	b = ts.Append(b)
	b = metaTS.Append(b)
	if deleted {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return md5.Sum(b)
}

// Toggle adds e to d if it is not in it, and removes it if it is.
func (d *Digest) Toggle(e Digest) {
	for i := range d {
		d[i] ^= e[i]
	}
}

// String is d in lowercase hex: the value SuffixHashes reports.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }
