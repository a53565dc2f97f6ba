// Package ui is Exhibit's desktop interface, built with Fyne. It is the only
// package that imports Fyne: it calls the application core (package app) and
// shows what it returns. Long work (opening a store, listing, importing,
// verifying, loading thumbnails) runs off Fyne's goroutine; results come back
// through fyne.Do, and progress is coalesced to a few updates a second.
package ui
