//go:build race

package main

// raceEnabled: the test binary runs under the race detector, so the exhibit
// binary it builds does too (and shares the race-built package cache).
const raceEnabled = true
