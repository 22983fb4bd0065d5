// Package saio runs a whole swiftlet cluster in one process, like Swift's
// all-in-one development setup (SAIO): four storage nodes
// (objectserver/node), each with one device and in a zone of its own,
// account, container and object rings built from them, and the proxy with
// tempauth and the standard test users (proxy/service). `swiftlet saio`
// and `make run` run one.
//
// # Data directory
//
//	DIR/salt.conf          the cluster's hash path salt, made on first start
//	DIR/rings/             {account,container,object}.builder and .ring.gz
//	DIR/<N>/node/sdb<N>    node N's device (N = 1..4)
//
// Everything is reused when the cluster starts again on the same
// directory. Node N listens on BasePort+10*(N-1) (object), +1 (container)
// and +2 (account): 6210-6212, 6220-6222, 6230-6232 and 6240-6242 by
// default, as in Swift's SAIO.
package saio
