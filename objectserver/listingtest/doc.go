// Package listingtest is the conformance suite of objectserver's listing
// contracts: RunContainers checks a ContainerStore and RunAccounts an
// AccountStore, method by method as listing.go documents them. Every
// implementation runs both (memstore in memory, badgerstore in
// t.TempDir()), so the stores behave identically.
//
// Swift is the reference for what the contract leaves open. Listings are
// checked three ways: against testdata/swift_listings.json, which
// OpenStack Swift 2.30.1's own list_objects_iter and list_containers_iter
// computed (gen_swift_listings.py regenerates it); against a brute-force
// model (model.go) on random names and queries; and by paging through
// random containers with the marker a client would send.
//
// Where the contract is silent the suite pins these choices, which both
// stores follow:
//   - a Limit of 0 or less, or above MaxListingLimit, means
//     MaxListingLimit;
//   - a method called with a cancelled context returns ctx.Err();
//   - an empty page is an empty slice, not nil (it encodes as [] in
//     JSON);
//   - deleting a container or an account clears its metadata (each item
//     becomes an empty value at the delete's timestamp), as Swift's
//     delete_db does;
//   - a PutObjectRow whose timestamp is not newer than the stored row's
//     changes nothing and returns nil;
//   - a PutContainerRow as new as the stored row (by the newer of its PUT
//     and DELETE timestamps) replaces the counts, since container servers
//     report changed counts under unchanged timestamps; the PUT and DELETE
//     timestamps each keep the newer value (Swift's merge_items);
//   - a deleted container row (DELETE newer than PUT) counts for nothing
//     in the account's totals and is not listed.
package listingtest
