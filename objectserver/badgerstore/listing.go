package badgerstore

// listingState is the listing store's part of a Store.
type listingState struct{}

func (l *listingState) init(s *Store) error { return nil }
