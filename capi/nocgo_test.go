//go:build !cgo

package main

import (
	"os"
	"testing"
)

// Without cgo (no C compiler was found, or CGO_ENABLED=0) the library
// cannot be built, so there is nothing to test.
func TestCAPINeedsCgo(t *testing.T) {
	const msg = "the C API needs cgo and a C compiler (gcc); CGO_ENABLED=0 or no compiler found"
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI is set)")
	}
	t.Skip("skipping: " + msg)
}
