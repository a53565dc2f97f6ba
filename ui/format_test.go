package ui

import (
	"bytes"
	"image"
	_ "image/png" // DecodeConfig of the icon
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                      "0:00:00",
		999 * time.Millisecond: "0:00:01",
		61 * time.Second:       "0:01:01",
		3*time.Hour + 4*time.Minute + 5*time.Second: "3:04:05",
		-time.Second: "0:00:00",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestFormatWhenIsLocalWithZone(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	want := at.In(time.Local).Format("Mon 2 Jan 2006 15:04 MST")
	if got := formatWhen(at); got != want {
		t.Errorf("formatWhen = %q, want %q", got, want)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	if got := at.In(london).Format("Mon 2 Jan 2006 15:04 MST"); got != "Mon 2 Nov 2026 09:30 GMT" {
		t.Errorf("layout gives %q", got)
	}
	if got := formatWhen(time.Time{}); got != "unknown" {
		t.Errorf("zero time: %q", got)
	}
}

func TestFormatSize(t *testing.T) {
	if got := formatSize(512); got != "512 bytes" {
		t.Errorf("512: %q", got)
	}
	if got := formatSize(1536); got != "1.5 KiB (1,536 bytes)" {
		t.Errorf("1536: %q", got)
	}
	if got := formatSize(3 << 30); got != "3.0 GiB (3,221,225,472 bytes)" {
		t.Errorf("3 GiB: %q", got)
	}
}

// TestAppIcon: the main window and the application carry Exhibit's icon,
// a 256×256 PNG.
func TestAppIcon(t *testing.T) {
	a := &iconApp{App: test.NewTempApp(t)}
	w := &iconWindow{Window: a.NewWindow("")}
	a.win = w
	if got := newMainWindow(a, "/srv/store"); got != w {
		t.Fatal("newMainWindow did not use the app's window")
	}
	defer w.Close()
	if a.icon != appIcon || w.icon != appIcon {
		t.Errorf("icons: app %v, window %v", a.icon, w.icon)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(appIcon.Content()))
	if err != nil || format != "png" || cfg.Width != 256 || cfg.Height != 256 {
		t.Errorf("icon: %v %s %dx%d", err, format, cfg.Width, cfg.Height)
	}
	if w.title != "Exhibit — /srv/store" {
		t.Errorf("title %q", w.Title())
	}
}

// iconApp and iconWindow record the icon set on them (Fyne's test app and
// window drop it); the real window's icon is checked under Xvfb by
// TestGUIWindowUnderXvfb.
type iconApp struct {
	fyne.App
	icon fyne.Resource
	win  *iconWindow
}

func (a *iconApp) SetIcon(r fyne.Resource) { a.icon = r }

func (a *iconApp) NewWindow(title string) fyne.Window {
	if a.win != nil {
		a.win.title = title
		return a.win
	}
	return a.App.NewWindow(title)
}

type iconWindow struct {
	fyne.Window
	icon  fyne.Resource
	title string
}

func (w *iconWindow) SetIcon(r fyne.Resource) { w.icon = r }

// TestFormatWhenWithUTC: in summer time the detail pane's recorded-at
// gives the UTC time beside the local one (the whole UTC date when the day
// differs); in GMT, only the local time.
func TestFormatWhenWithUTC(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	old := time.Local
	time.Local = london
	defer func() { time.Local = old }()
	for at, want := range map[time.Time]string{
		time.Date(2026, 10, 20, 22, 15, 0, 0, time.UTC): "Tue 20 Oct 2026 23:15:00 BST (22:15:00 UTC)",
		time.Date(2026, 10, 20, 23, 30, 0, 0, time.UTC): "Wed 21 Oct 2026 00:30:00 BST (2026-10-20 23:30:00 UTC)",
		time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC):   "Mon 2 Nov 2026 09:30:00 GMT",
	} {
		if got := formatWhenWithUTC(at); got != want {
			t.Errorf("formatWhenWithUTC(%v) = %q, want %q", at, got, want)
		}
	}
}
