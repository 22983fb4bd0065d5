// Package timestamp implements Swift's timestamps: the X-Timestamp of every
// write, whose newest value wins everywhere.
//
// A timestamp is a time in 10-microsecond ticks since the Unix epoch plus an
// offset that orders writes sharing one time (Swift's "internal" form). The
// normal form is the fixed-width decimal "1732500000.12345"; with a non-zero
// offset the internal form appends "_" and 16 hex digits,
// "1732500000.12345_000000000000000a". Both forms sort as strings in time
// order, and the binary form (Append) sorts as bytes.
package timestamp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Ticks per second: Swift keeps five decimal digits.
const perSecond = 100000

// maxSeconds bounds timestamps, as Swift does (10 digits before the point).
const maxSeconds = 10000000000

// ErrInvalid is returned (wrapped) by Parse.
var ErrInvalid = errors.New("invalid timestamp")

// Timestamp is a Swift timestamp. The zero value is "no timestamp" and
// sorts before every real one.
type Timestamp struct {
	ticks  int64  // 10 µs since the epoch
	offset uint64 // orders writes with equal ticks
}

// New returns the timestamp of t (rounded to 10 µs) with no offset.
func New(t time.Time) Timestamp {
	return Timestamp{ticks: (t.UnixNano() + 5000) / 10000}
}

// FromTicks returns the timestamp of 10-µs ticks since the epoch.
func FromTicks(ticks int64, offset uint64) Timestamp {
	return Timestamp{ticks: ticks, offset: offset}
}

// Parse reads a timestamp in Swift's forms: a decimal number of seconds
// ("1732500000.12345", "1732500000", "1.7325e9") optionally followed by "_"
// and a hexadecimal offset. It rejects negative values, values of 10^10
// seconds or more, and offsets beyond 16 hex digits, as Swift does.
func Parse(s string) (Timestamp, error) {
	base, off, hasOff := strings.Cut(s, "_")
	f, err := strconv.ParseFloat(strings.TrimSpace(base), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return Timestamp{}, fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	if f < 0 {
		return Timestamp{}, fmt.Errorf("%w: %q: timestamp cannot be negative", ErrInvalid, s)
	}
	t := Timestamp{ticks: int64(math.RoundToEven(f * perSecond))}
	if f >= maxSeconds || t.ticks >= maxSeconds*perSecond {
		return Timestamp{}, fmt.Errorf("%w: %q: timestamp too large", ErrInvalid, s)
	}
	if hasOff {
		if off == "" || len(off) > 16 {
			return Timestamp{}, fmt.Errorf("%w: %q: bad offset", ErrInvalid, s)
		}
		t.offset, err = strconv.ParseUint(off, 16, 64)
		if err != nil {
			return Timestamp{}, fmt.Errorf("%w: %q: bad offset", ErrInvalid, s)
		}
	}
	return t, nil
}

// IsZero reports whether t is the zero value.
func (t Timestamp) IsZero() bool { return t.ticks == 0 && t.offset == 0 }

// Ticks is the time in 10-µs units since the epoch.
func (t Timestamp) Ticks() int64 { return t.ticks }

// Offset is the offset ordering writes with equal time.
func (t Timestamp) Offset() uint64 { return t.offset }

// WithOffset returns t with the given offset.
func (t Timestamp) WithOffset(offset uint64) Timestamp { t.offset = offset; return t }

// Add returns t moved by d, rounded to 10 µs; the offset is kept.
func (t Timestamp) Add(d time.Duration) Timestamp {
	t.ticks += int64(d / (10 * time.Microsecond))
	return t
}

// Time is t as a time.Time (the offset is dropped).
func (t Timestamp) Time() time.Time { return time.Unix(0, t.ticks*10000) }

// Seconds is the time rounded up to whole seconds, as Swift's ceil() gives
// Last-Modified.
func (t Timestamp) Seconds() int64 { return (t.ticks + perSecond - 1) / perSecond }

// Compare returns -1, 0 or +1 as t is older than, equal to or newer than u.
func (t Timestamp) Compare(u Timestamp) int {
	switch {
	case t.ticks < u.ticks:
		return -1
	case t.ticks > u.ticks:
		return 1
	case t.offset < u.offset:
		return -1
	case t.offset > u.offset:
		return 1
	}
	return 0
}

// After reports whether t is newer than u.
func (t Timestamp) After(u Timestamp) bool { return t.Compare(u) > 0 }

// Normal is the fixed-width decimal form without the offset, the form
// clients see: "1732500000.12345".
func (t Timestamp) Normal() string {
	return fmt.Sprintf("%010d.%05d", t.ticks/perSecond, t.ticks%perSecond)
}

// Internal is Normal, followed by "_" and the offset as 16 hex digits if
// the offset is not zero.
func (t Timestamp) Internal() string {
	if t.offset == 0 {
		return t.Normal()
	}
	return fmt.Sprintf("%s_%016x", t.Normal(), t.offset)
}

// String is the internal form.
func (t Timestamp) String() string { return t.Internal() }

// Size is the length of the binary form.
const Size = 16

// Append appends the binary form of t: ticks and offset as big-endian
// integers, so that byte order is time order.
func (t Timestamp) Append(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(t.ticks))
	return binary.BigEndian.AppendUint64(b, t.offset)
}

// Decode reads the binary form written by Append.
func Decode(b []byte) (Timestamp, error) {
	if len(b) < Size {
		return Timestamp{}, fmt.Errorf("%w: %d bytes", ErrInvalid, len(b))
	}
	return Timestamp{ticks: int64(binary.BigEndian.Uint64(b)), offset: binary.BigEndian.Uint64(b[8:])}, nil
}
