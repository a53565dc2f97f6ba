package main

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestIcons renders the real icon: every size is written at its size, the
// corners are transparent (the rounded background, which oksvg squares
// off without withRy) and the centre is opaque.
func TestIcons(t *testing.T) {
	out := t.TempDir()
	if err := run("../../assets/icon.svg", out, "uk.police.exhibit"); err != nil {
		t.Fatal(err)
	}
	for _, n := range sizes {
		f, err := os.Open(filepath.Join(out, sizeDir(n), "apps", "uk.police.exhibit.png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		_ = f.Close() // read-only
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != n || b.Dy() != n {
			t.Errorf("%d: bounds %v", n, b)
		}
		if n < 32 {
			continue // too few pixels for the corner to be clear of the curve
		}
		// (n/32, n/32) is the background square's corner pixel (x=8 of 256).
		if _, _, _, a := img.At(n/32, n/32).RGBA(); a != 0 {
			t.Errorf("%d: corner alpha %d, want 0 (rounded corner)", n, a)
		}
		if _, _, _, a := img.At(n/2, n/2).RGBA(); a != 0xffff {
			t.Errorf("%d: centre alpha %d, want opaque", n, a)
		}
	}
}
