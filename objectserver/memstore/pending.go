package memstore

type pendingStore struct{}

func (p *pendingStore) init() {}
