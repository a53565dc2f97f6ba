//go:build !linux

package ui

import (
	"fmt"
	"image"
)

// installXErrorHandler does nothing off Linux.
func installXErrorHandler() {}

// listMonitors is not supported off Linux.
func listMonitors() ([]monitor, error) {
	return nil, fmt.Errorf("list monitors: %w", errNoX11)
}

// moveWindow is not supported off Linux.
func moveWindow(uintptr, image.Point) error {
	return fmt.Errorf("move window: %w", errNoX11)
}

// windowRect is not supported off Linux.
func windowRect(uintptr) (image.Rectangle, error) {
	return image.Rectangle{}, fmt.Errorf("window geometry: %w", errNoX11)
}

// setWindowRect is not supported off Linux.
func setWindowRect(uintptr, image.Rectangle) error {
	return fmt.Errorf("move window: %w", errNoX11)
}
