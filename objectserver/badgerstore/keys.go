package badgerstore

// Key namespaces: the first byte of every Badger key. Each is described
// where it is implemented.
const (
	nsObject        byte = 'o' // objects.go: newest version of an object
	nsSuffix        byte = 's' // objects.go: suffix hashes
	nsContainer     byte = 'c' // listing.go: container state
	nsObjectRow     byte = 'r' // listing.go: object rows of a container
	nsAccount       byte = 'a' // listing.go: account state
	nsContainerRow  byte = 'k' // listing.go: container rows of an account
	nsPending       byte = 'p' // pending.go: async pending updates
	nsStoreMetadata byte = 'm' // store-wide values (format version)
)
