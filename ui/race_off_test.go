//go:build !race

package ui

// raceBuild reports a build with the race detector, whose slowdown makes
// timing bounds meaningless.
const raceBuild = false
