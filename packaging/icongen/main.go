// Command icongen renders assets/icon.svg into the hicolor PNG sizes a
// desktop looks for (16 to 512 pixels), for the Debian package:
//
//	go run ./packaging/icongen -svg assets/icon.svg -out DIR
//
// writes DIR/NxN/apps/uk.police.exhibit.png for each size. Rendering from
// the SVG (not scaling the 256-pixel PNG) keeps small sizes sharp and the
// 512 one smooth.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"

	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"
)

// sizes are the hicolor theme's usual application icon sizes.
var sizes = []int{16, 22, 24, 32, 48, 64, 128, 256, 512}

func main() {
	svgPath := flag.String("svg", "assets/icon.svg", "SVG icon to render")
	out := flag.String("out", "", "hicolor directory to write into")
	name := flag.String("name", "uk.police.exhibit", "icon name")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "icongen: -out is required")
		os.Exit(2)
	}
	if err := run(*svgPath, *out, *name); err != nil {
		fmt.Fprintln(os.Stderr, "icongen:", err)
		os.Exit(1)
	}
}

func run(svgPath, out, name string) error {
	src, err := os.ReadFile(svgPath)
	if err != nil {
		return err
	}
	src = withRy(src)
	for _, n := range sizes {
		icon, err := oksvg.ReadIconStream(bytes.NewReader(src), oksvg.StrictErrorMode)
		if err != nil {
			return fmt.Errorf("parse %s: %w", svgPath, err)
		}
		icon.SetTarget(0, 0, float64(n), float64(n))
		img := image.NewRGBA(image.Rect(0, 0, n, n))
		icon.Draw(rasterx.NewDasher(n, n, rasterx.NewScannerGV(n, n, img, img.Bounds())), 1)
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return fmt.Errorf("encode %dx%d: %w", n, n, err)
		}
		dir := filepath.Join(out, sizeDir(n), "apps")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// rxOnly matches an rx attribute of an element that has no ry.
var rxOnly = regexp.MustCompile(`<rect\b[^>]*?\brx="([^"]*)"[^>]*?/?>`)

// withRy gives every <rect> with rx but no ry an equal ry: SVG says a missing
// ry equals rx, but oksvg takes it as 0 and draws square corners.
func withRy(svg []byte) []byte {
	return rxOnly.ReplaceAllFunc(svg, func(el []byte) []byte {
		if bytes.Contains(el, []byte(" ry=")) {
			return el
		}
		m := rxOnly.FindSubmatch(el)
		return bytes.Replace(el, []byte(`rx="`+string(m[1])+`"`), []byte(`rx="`+string(m[1])+`" ry="`+string(m[1])+`"`), 1)
	})
}

// sizeDir is the hicolor folder of an n-pixel icon: "NxN".
func sizeDir(n int) string { return fmt.Sprintf("%dx%d", n, n) }
