// Package glance will be the image service: the Glance v2 API on :9292,
// storing image data through the proxy's internal client.
//
// Nothing lives here yet; a later issue fills it in.
package glance
