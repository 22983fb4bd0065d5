package badgerstore

import (
	"bytes"
	"context"
	"slices"

	"github.com/dgraph-io/badger/v4"
	"github.com/swiftlet/swiftlet/objectserver"
)

// scanListing answers a listing query q over the live rows under prefix base (a
// database's listingRowsLive space, where keys are base+name in Swift's listing
// order), calling row for each row listed and dir for each subdir. Its
// cost is proportional to the page: it seeks to where the page starts,
// and skips each subdir with one more seek (past the subdir going
// forward, before it in reverse), never reading the rows inside.
//
// The semantics are those of Swift's list_objects_iter: Marker and
// EndMarker are exclusive bounds, swapped when listing in reverse; a
// subdir equal to the lower bound (Marker, or EndMarker in reverse) is
// left out, so that paging by the last entry does not repeat it.
//
// The key and value passed to row are valid only during the call.
func scanListing(ctx context.Context, txn *badger.Txn, base []byte, q objectserver.ListQuery, row func(name []byte, item *badger.Item) error, dir func(name []byte)) error {
	limit := q.Limit
	if limit <= 0 || limit > objectserver.MaxListingLimit {
		limit = objectserver.MaxListingLimit
	}
	lower, upper := []byte(q.Marker), []byte(q.EndMarker) // exclusive; empty: none
	if q.Reverse {
		lower, upper = upper, lower
	}
	prefix := []byte(q.Prefix)
	key := func(name []byte) []byte { return append(slices.Clip(base), name...) }

	it := txn.NewIterator(badger.IteratorOptions{Reverse: q.Reverse, Prefix: base})
	defer it.Close()

	// The first position and the first bound: going forward, the least
	// name after lower and not before prefix; in reverse, the greatest
	// name before upper and before the end of prefix.
	var start []byte
	if !q.Reverse {
		start = prefix
		if len(lower) > 0 && bytes.Compare(lower, prefix) >= 0 {
			start = append(slices.Clip(lower), 0) // the least name after lower
		}
		it.Seek(key(start))
	} else {
		hi, ok := listingPrefixEnd(prefix)
		if len(upper) > 0 && (!ok || bytes.Compare(upper, hi) < 0) {
			hi, ok = upper, true
		}
		if !ok {
			hi, _ = listingPrefixEnd(base)
		} else {
			hi = key(hi)
		}
		listingSeekBefore(it, hi)
	}

	for n := 0; it.Valid() && n < limit; {
		if n%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		item := it.Item()
		name := item.Key()[len(base):]
		if !q.Reverse {
			// Names only grow from here: the first outside the prefix or
			// at the end marker ends the page.
			if !bytes.HasPrefix(name, prefix) || len(upper) > 0 && bytes.Compare(name, upper) >= 0 {
				break
			}
		} else {
			// Names only shrink from here, and start below the prefix's
			// end: the first outside the prefix is below it.
			if !bytes.HasPrefix(name, prefix) || len(lower) > 0 && bytes.Compare(name, lower) <= 0 {
				break
			}
		}
		if q.Delimiter != 0 {
			if i := bytes.IndexByte(name[len(prefix):], q.Delimiter); i >= 0 {
				d := slices.Clone(name[:len(prefix)+i+1])
				if !bytes.Equal(d, lower) {
					dir(d)
					n++
				}
				if q.Reverse {
					listingSeekBefore(it, key(d))
					continue
				}
				next, ok := listingPrefixEnd(d)
				if !ok {
					break // nothing sorts after d
				}
				it.Seek(key(next))
				continue
			}
		}
		if err := row(name, item); err != nil {
			return err
		}
		n++
		it.Next()
	}
	return nil
}

// listingSeekBefore positions a reverse iterator at the greatest key below k.
func listingSeekBefore(it *badger.Iterator, k []byte) {
	it.Seek(k)
	if it.Valid() && bytes.Equal(it.Item().Key(), k) {
		it.Next()
	}
}

// listingPrefixEnd is the least byte string greater than every string starting
// with p; false if there is none (p is empty or all 0xff).
func listingPrefixEnd(p []byte) ([]byte, bool) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] < 0xff {
			e := slices.Clone(p[:i+1])
			e[i]++
			return e, true
		}
	}
	return nil, false
}
