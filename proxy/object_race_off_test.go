//go:build !race

package proxy_test

// raceEnabled: the race detector slows streaming tests tenfold.
const raceEnabled = false
