// Package service runs a proxy as a network service: it loads the account,
// container and object rings from a directory and keeps them current
// (ring.Watcher), puts the auth middleware (proxy/tempauth) in front of the
// proxy (proxy.Server), serves it on its address with one metrics
// registry, and shuts down in order. `swiftlet proxy --config FILE` runs
// one from a configuration file (LoadConfig); `swiftlet saio` runs one
// beside its storage nodes.
//
//	client --> http.Server --> /healthcheck, /metrics: the proxy directly
//	                       \-> everything else: tempauth --> proxy.Server
package service
