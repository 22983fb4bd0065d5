package badgerstore

// objectState is the object store's part of a Store.
type objectState struct{}

func (o *objectState) init(s *Store) error { return nil }
