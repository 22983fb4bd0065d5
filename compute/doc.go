// Package compute will be the thin Nova-like compute layer: its API on :8774,
// a scheduler, IP and network management, and hypervisor drivers that boot
// VMs from images served by the glance package.
//
// Nothing lives here yet; a later issue fills it in.
package compute
