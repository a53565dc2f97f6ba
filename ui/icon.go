package ui

import (
	"fyne.io/fyne/v2"

	"exhibit/assets"
)

// appIcon is Exhibit's icon (256×256 PNG) as a Fyne resource: the
// application's icon and every window's.
var appIcon fyne.Resource = fyne.NewStaticResource("exhibit.png", assets.IconPNG)

// newMainWindow makes the main window of application a, titled for the
// store in dir, with the application icon set on both.
func newMainWindow(a fyne.App, dir string) fyne.Window {
	a.SetIcon(appIcon)
	w := a.NewWindow(windowTitle(dir))
	w.SetIcon(appIcon)
	return w
}
