// Package assets embeds Exhibit's icons and other resources. It has no
// dependencies; the ui package wraps them as Fyne resources.
package assets

import _ "embed"

// IconPNG is the application icon, 256x256 PNG.
//
//go:embed icon.png
var IconPNG []byte

// IconSVG is the application icon as SVG.
//
//go:embed icon.svg
var IconSVG []byte
