//go:build race

package objectserver_test

// raceEnabled: the race detector slows streaming tests tenfold.
const raceEnabled = true
