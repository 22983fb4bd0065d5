package memstore

import (
	"testing"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/listingtest"
)

func TestContainers(t *testing.T) {
	listingtest.RunContainers(t, func(t *testing.T) objectserver.ContainerStore {
		return New(hashpath.Salt{})
	})
}

func TestAccounts(t *testing.T) {
	listingtest.RunAccounts(t, func(t *testing.T) objectserver.AccountStore {
		return New(hashpath.Salt{})
	})
}
