package memstore

type listingStore struct{}

func (l *listingStore) init() {}
