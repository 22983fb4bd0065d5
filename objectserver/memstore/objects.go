package memstore

import "github.com/swiftlet/swiftlet/internal/hashpath"

type objectStore struct{}

func (o *objectStore) init(salt hashpath.Salt) {}
