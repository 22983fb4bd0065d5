//go:build !race

package objectserver_test

const raceEnabled = false
