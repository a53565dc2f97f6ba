//go:build !linux || wayland

package ui

import (
	"fmt"
	"image"
)

// installXErrorHandler does nothing without X11 (off Linux, or a Wayland-native build).
func installXErrorHandler() {}

// listMonitors is not supported without X11 (off Linux, or a Wayland-native build).
func listMonitors() ([]monitor, error) {
	return nil, fmt.Errorf("list monitors: %w", errNoX11)
}

// moveWindow is not supported without X11 (off Linux, or a Wayland-native build).
func moveWindow(uintptr, image.Point) error {
	return fmt.Errorf("move window: %w", errNoX11)
}

// windowRect is not supported without X11 (off Linux, or a Wayland-native build).
func windowRect(uintptr) (image.Rectangle, error) {
	return image.Rectangle{}, fmt.Errorf("window geometry: %w", errNoX11)
}

// setWindowRect is not supported without X11 (off Linux, or a Wayland-native build).
func setWindowRect(uintptr, image.Rectangle) error {
	return fmt.Errorf("move window: %w", errNoX11)
}
