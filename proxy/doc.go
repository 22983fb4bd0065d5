// Package proxy will serve the Swift API (/v1/...) and, in proxy/s3, the S3 API
// in front of the storage nodes: authentication (tempauth), request
// validation against Swift's constraints, ring lookup, fan-out to the
// primary nodes with handoffs, and quorum on writes.
//
// Nothing lives here yet; the proxy issue fills it in.
package proxy
