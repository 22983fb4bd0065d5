// Package proxy serves the Swift API v1 in front of the storage nodes: the
// front door of a swiftlet cluster.
//
// # Place in the pipeline
//
//	client --HTTP--> auth middleware (proxy/tempauth) --> Server
//	  --> controller (account.go, container.go, object.go)
//	  --> ring lookup (account, container and object rings)
//	  --> backend fan-out (backend.go): one request per node, primaries
//	      first, handoffs for failed ones, quorum for writes (quorum.go)
//	  --> storage nodes (objectserver)
//
// A request's path /v1/<account>[/<container>[/<object>]] names its target;
// the controller for it checks Swift's constraints (internal/constraints),
// asks the auth middleware's Authorizer whether the request may proceed
// (with the container's ACLs when they matter), and talks to the nodes the
// rings name. Writes go to every primary at once and succeed at a quorum
// (⌊n/2⌋+1 of the same class of status); a primary that fails or is
// error-limited is replaced by the next handoff. Reads try nodes one at a
// time, primaries then handoffs, and answer 404 only when enough of them
// agree. Nodes that keep failing are skipped for a while (error limiting,
// nodes.go).
//
// # Glossary
//
//   - node: one device of one storage server, as the ring lists it
//     (ring.Device): ip, port and device name.
//   - primaries and handoffs: the nodes the ring assigns a partition, and
//     the ones it offers, in order, when primaries fail.
//   - quorum: the least number of nodes whose agreement makes a write
//     durable: ⌊n/2⌋+1 for n replicas.
//   - error limiting: a node with more than ErrorSuppressionLimit errors
//     within ErrorSuppressionInterval (or one 507) is skipped until the
//     interval passes.
//   - transaction id: X-Trans-Id, generated per request, sent to every node
//     and logged everywhere, so that one request can be followed.
package proxy
