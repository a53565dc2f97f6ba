package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// Choices of the clip dialog.
const (
	clipCourtChoice    = "Court copy: H.264 MP4 that plays on any computer"
	clipLosslessChoice = "Lossless: the master's own frames, not re-encoded"
)

// clipMark asks how to clip the selected marker's frames (its I–O range,
// or its one frame) and then makes the clip.
func (s *reviewScreen) clipMark() {
	p := s.side
	if p == nil || p.selected == nil || s.modal || s.lib == nil || !s.lib.Can(app.PermExport) {
		return
	}
	a := p.selected
	req := app.ClipRequest{RecordingID: s.id, From: a.FrameIn, To: a.FrameOut}
	text := widget.NewLabel(fmt.Sprintf("Clip %s (%d frames). The clip is kept encrypted in the store as a new exhibit "+
		"with its own reference, and recorded in the audit trail.", markFrames(a, s.frames), req.To-req.From+1))
	text.Wrapping = fyne.TextWrapWord
	overlay := widget.NewCheck("Strip below the picture: exhibit reference, frame number, camera time", nil)
	kind := widget.NewRadioGroup([]string{clipCourtChoice, clipLosslessChoice}, func(v string) {
		if v == clipLosslessChoice {
			overlay.SetChecked(false)
			overlay.Disable()
		} else {
			overlay.Enable()
		}
	})
	kind.Required = true
	kind.SetSelected(clipCourtChoice)
	d := dialog.NewCustomConfirm("Clip I–O", "Make clip", "Cancel", container.NewVBox(text, kind, overlay), func(ok bool) {
		s.endModal()
		if ok {
			req.Lossless = kind.Selected == clipLosslessChoice
			req.Overlay = overlay.Checked && !req.Lossless
			s.makeClip(req)
			return
		}
		s.refocus()
	}, s.win)
	d.Resize(fyne.NewSize(520, 280))
	s.showModal(d)
}

// makeClip runs CreateClip off the UI goroutine with a progress bar and a
// Cancel button (Escape cancels too); progress reaches the bar coalesced.
func (s *reviewScreen) makeClip(req app.ClipRequest) {
	ctx, cancel := context.WithCancel(s.ctx)
	bar := widget.NewProgressBar()
	label := widget.NewLabel(fmt.Sprintf("Making the clip of frames %d–%d…", req.From, req.To))
	var d *dialog.CustomDialog
	stop := widget.NewButton("Cancel", func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons("Clip", container.NewVBox(label, bar, container.NewCenter(stop)), s.win)
	d.SetOnClosed(func() {
		cancel() // a no-op once the clip is made
		s.endModal()
		s.refocus()
	})
	d.Resize(fyne.NewSize(420, 160))
	s.showModal(d)

	progress := barProgress(s.do, bar)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		res, err := s.lib.CreateClip(ctx, req, "", progress)
		cancelled := ctx.Err() != nil
		s.do(func() {
			if s.closed {
				return
			}
			if s.dlg == d {
				d.Hide()
			}
			switch {
			case err == nil:
				what := "court copy"
				if res.Kind == app.KindClipLossless {
					what = "lossless clip"
				}
				msg := fmt.Sprintf("Clip %s made: %s of frames %d–%d, kept in the store (SHA-256 %s…).",
					res.Ref, what, res.From, res.To, res.SHA256[:16])
				s.markMessage(msg, false)
				if s.notify != nil {
					s.notify(msg)
				}
			case cancelled:
				s.markMessage("The clip was cancelled; nothing was kept.", false)
			default:
				s.log.Warn("review: clip", "id", s.id, "error", err)
				s.markMessage("No clip was made: "+app.UserMessage(err), true)
			}
		})
	}()
}
