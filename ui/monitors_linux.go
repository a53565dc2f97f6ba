//go:build linux && !wayland

package ui

/*
#cgo LDFLAGS: -lX11 -lXrandr -lXinerama
#include <stdio.h>
#include <stdlib.h>
#include <X11/Xlib.h>
#include <X11/Xatom.h>
#include <X11/extensions/Xrandr.h>
#include <X11/extensions/Xinerama.h>

// Errors on our own connections are recorded, never fatal (Xlib's default
// handler would end the process on a BadWindow from a closed window).
static int exhibitXError = 0;
static int exhibitErrorHandler(Display *d, XErrorEvent *e) {
	exhibitXError = e->error_code;
	return 0;
}
static void exhibitInstallErrorHandler(void) {
	XSetErrorHandler(exhibitErrorHandler);
}

typedef struct { char name[64]; int x, y, w, h, primary; } exhibitMonitor;

// exhibitMonitors fills out (up to max) with the X server's monitors: RandR
// 1.5 monitors, else Xinerama heads. It returns how many, or -1 when the
// display cannot be opened.
static int exhibitMonitors(exhibitMonitor *out, int max) {
	Display *d = XOpenDisplay(NULL);
	if (!d) return -1;
	int n = 0, ev, er, major = 0, minor = 0;
	if (XRRQueryExtension(d, &ev, &er) && XRRQueryVersion(d, &major, &minor) && (major > 1 || (major == 1 && minor >= 5))) {
		int count = 0;
		XRRMonitorInfo *m = XRRGetMonitors(d, DefaultRootWindow(d), True, &count);
		for (int i = 0; m && i < count && n < max; i++, n++) {
			char *name = m[i].name ? XGetAtomName(d, m[i].name) : NULL;
			snprintf(out[n].name, sizeof out[n].name, "%s", name ? name : "");
			if (name) XFree(name);
			out[n].x = m[i].x; out[n].y = m[i].y; out[n].w = m[i].width; out[n].h = m[i].height;
			out[n].primary = m[i].primary;
		}
		if (m) XRRFreeMonitors(m);
	}
	if (n == 0 && XineramaIsActive(d)) {
		int count = 0;
		XineramaScreenInfo *s = XineramaQueryScreens(d, &count);
		for (int i = 0; s && i < count && n < max; i++, n++) {
			snprintf(out[n].name, sizeof out[n].name, "Screen %d", i + 1);
			out[n].x = s[i].x_org; out[n].y = s[i].y_org; out[n].w = s[i].width; out[n].h = s[i].height;
			out[n].primary = i == 0;
		}
		if (s) XFree(s);
	}
	XCloseDisplay(d);
	return n;
}

// exhibitMoveWindow moves window w to x, y (root coordinates of its
// top-left), and resizes it to width x height when width > 0, and waits for the server to have done it. 0 on success, else
// the X error code, or -1 when the display cannot be opened.
static int exhibitMoveWindow(unsigned long w, int x, int y, int width, int height) {
	Display *d = XOpenDisplay(NULL);
	if (!d) return -1;
	exhibitXError = 0;
	if (width > 0) XMoveResizeWindow(d, (Window)w, x, y, width, height);
	else XMoveWindow(d, (Window)w, x, y);
	XSync(d, False);
	int err = exhibitXError;
	XCloseDisplay(d);
	return err;
}

// exhibitWindowRect gives window w's place on the root window.
static int exhibitWindowRect(unsigned long w, int *x, int *y, int *width, int *height) {
	Display *d = XOpenDisplay(NULL);
	if (!d) return -1;
	exhibitXError = 0;
	XWindowAttributes a;
	Window child;
	if (XGetWindowAttributes(d, (Window)w, &a)) {
		XTranslateCoordinates(d, (Window)w, DefaultRootWindow(d), 0, 0, x, y, &child);
		*width = a.width; *height = a.height;
	} else if (!exhibitXError) {
		exhibitXError = BadWindow;
	}
	XSync(d, False);
	int err = exhibitXError;
	XCloseDisplay(d);
	return err;
}
*/
import "C"

import (
	"fmt"
	"image"
	"sync"
)

var xErrorHandlerOnce sync.Once

// installXErrorHandler makes X errors on Exhibit's own X connections
// non-fatal. Call it on the Fyne goroutine (GLFW's thread), where GLFW
// swaps the process-wide handler and restores the previous one.
func installXErrorHandler() {
	xErrorHandlerOnce.Do(func() { C.exhibitInstallErrorHandler() })
}

// listMonitors lists the X server's monitors (RandR 1.5 monitors, else
// Xinerama heads) over a connection of its own; any goroutine.
func listMonitors() ([]monitor, error) {
	var buf [16]C.exhibitMonitor
	n := int(C.exhibitMonitors(&buf[0], C.int(len(buf))))
	if n < 0 {
		return nil, fmt.Errorf("list monitors: %w", errNoX11)
	}
	ms := make([]monitor, 0, n)
	for _, m := range buf[:n] {
		ms = append(ms, monitor{Name: C.GoString(&m.name[0]), Rect: image.Rect(int(m.x), int(m.y), int(m.x+m.w), int(m.y+m.h)), Primary: m.primary != 0})
	}
	return ms, nil
}

// moveWindow moves X11 window w's top-left to p (root coordinates).
func moveWindow(w uintptr, p image.Point) error {
	return setWindowRect(w, image.Rectangle{Min: p, Max: p})
}

// setWindowRect moves X11 window w to r (root coordinates) and resizes it
// to r's size, or only moves it when r is empty.
func setWindowRect(w uintptr, r image.Rectangle) error {
	if rc := C.exhibitMoveWindow(C.ulong(w), C.int(r.Min.X), C.int(r.Min.Y), C.int(r.Dx()), C.int(r.Dy())); rc != 0 {
		if rc < 0 {
			return fmt.Errorf("move window: %w", errNoX11)
		}
		return fmt.Errorf("move window: X error %d", int(rc))
	}
	return nil
}

// windowRect returns X11 window w's place on the root window.
func windowRect(w uintptr) (image.Rectangle, error) {
	var x, y, width, height C.int
	if rc := C.exhibitWindowRect(C.ulong(w), &x, &y, &width, &height); rc != 0 {
		if rc < 0 {
			return image.Rectangle{}, fmt.Errorf("window geometry: %w", errNoX11)
		}
		return image.Rectangle{}, fmt.Errorf("window geometry: X error %d", int(rc))
	}
	return image.Rect(int(x), int(y), int(x+width), int(y+height)), nil
}
