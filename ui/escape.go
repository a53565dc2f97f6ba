package ui

import "fyne.io/fyne/v2"

// closable is a dialog that Escape can close: dialog.Dialog and
// *dialog.FileDialog.
type closable interface {
	Hide()
	SetOnClosed(func())
}

// escStack is the dialogs shown over one window that close on Escape,
// newest last, and the canvas key handler they stand in front of.
type escStack struct {
	base func(*fyne.KeyEvent)
	ds   []closable
}

// escStacks is keyed by window canvas (UI goroutine only).
var escStacks = map[fyne.Canvas]*escStack{}

// escapeCloses makes Escape close d (as its Close or Cancel button does)
// while it is shown over win, as it does in Go to and the confirmations;
// other keys go on to the window's own handler. onClosed (may be nil) is
// d's closed callback: it replaces SetOnClosed, which this uses. Call it
// before d.Show. Escape reaches the canvas when nothing in the dialog
// has the focus, which is how these dialogs open.
func escapeCloses(win fyne.Window, d closable, onClosed func()) {
	c := win.Canvas()
	st := escStacks[c]
	if st == nil {
		st = &escStack{base: c.OnTypedKey()}
		escStacks[c] = st
		c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
			if ev.Name == fyne.KeyEscape && len(st.ds) > 0 {
				st.ds[len(st.ds)-1].Hide()
				return
			}
			if st.base != nil {
				st.base(ev)
			}
		})
	}
	st.ds = append(st.ds, d)
	d.SetOnClosed(func() {
		for i, x := range st.ds {
			if x == d {
				st.ds = append(st.ds[:i], st.ds[i+1:]...)
				break
			}
		}
		if len(st.ds) == 0 && escStacks[c] == st {
			delete(escStacks, c)
			c.SetOnTypedKey(st.base)
		}
		if onClosed != nil {
			onClosed()
		}
	})
}
