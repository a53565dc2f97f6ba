package store

// Test support, in a non-test file so that other packages' tests can use
// it (restic's testing.go habit). Nothing here is used by the program.

// TestArgon2 are Argon2id parameters cheap enough for tests (t=1, 8 MiB,
// one thread). Never use them for a real store: they protect nothing.
var TestArgon2 = Argon2Params{Time: 1, Memory: 8 * 1024, Threads: 1}

// UseTestArgon2 makes DefaultArgon2 TestArgon2, for passphrase wrapping
// and password hashing, and returns the function that puts the default
// back. It is the one fast-KDF switch for tests: call it from TestMain, or
// as t.Cleanup(store.UseTestArgon2()) in a test that runs on its own (it
// sets a package variable, so not while other goroutines create stores
// or hash passwords). A wrapped key or hash keeps its parameters, so what
// is made under it opens the same way afterwards.
func UseTestArgon2() (restore func()) {
	old := DefaultArgon2
	DefaultArgon2 = TestArgon2
	return func() { DefaultArgon2 = old }
}
