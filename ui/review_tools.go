package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// The review's tools beyond navigation and marking: stills (S), display
// adjustments for dark footage, the resume offer, the audio waveform and
// the GPS position. The library calls they need are optional: the screen
// asks s.lib for them (an *app.Library has them all).

// stillAPI saves evidential stills into the user's chosen folder.
type stillAPI interface {
	StillFolder(ctx context.Context) (string, error)
	SetStillFolder(ctx context.Context, dir string) error
	SaveStill(ctx context.Context, req app.StillRequest, dir string) (string, *app.Still, error)
}

// resumeAPI remembers where each user left each recording.
type resumeAPI interface {
	ResumePosition(ctx context.Context, id string) (int, bool, error)
	SaveResumePosition(ctx context.Context, id string, frame int) error
}

// waveformAPI gives a recording's audio levels.
type waveformAPI interface {
	Waveform(ctx context.Context, id string) (*app.Waveform, error)
}

var (
	_ stillAPI    = (*app.Library)(nil)
	_ resumeAPI   = (*app.Library)(nil)
	_ waveformAPI = (*app.Library)(nil)
)

// reviewTools is the state and widgets of those tools (UI goroutine).
type reviewTools struct {
	stillBtn, folderBtn, adjustBtn *widget.Button

	// Display adjustment.
	adjust        app.PictureAdjust
	stillAdjusted bool // stills keep the adjustment (else they are taken unadjusted)
	panel         fyne.CanvasObject
	bright        *widget.Slider
	contrast      *widget.Slider
	gamma         *widget.Slider
	adjLabel      *widget.Label
	stillCheck    *widget.Check

	// pickFolder asks for a folder and calls done with it (not called on
	// cancel); tests replace it.
	pickFolder func(done func(dir string))
	saving     bool

	// A short message over the video (a still saved, a position copied).
	toast      *widget.Label
	toastBox   fyne.CanvasObject
	toastTimer *time.Timer

	// Resume offer.
	resumeBox   fyne.CanvasObject
	resumeLbl   *widget.Label
	resumeFrame int // -1: no offer shown

	// Waveform under the timeline.
	wave     *WaveformView
	waveSlot *fyne.Container

	// GPS in the readout.
	gpsLbl  *widget.Label
	gpsCopy *widget.Button
	gpsBox  *fyne.Container
}

// card puts o on a dark rounded card, for things drawn over the video.
func card(o fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(color.NRGBA{R: 0x20, G: 0x20, B: 0x24, A: 0xf0})
	bg.CornerRadius = theme.InputRadiusSize()
	return container.NewStack(bg, container.NewPadded(o))
}

// buildTools makes the tools' widgets; build places them.
func (s *reviewScreen) buildTools() {
	t := &s.tools
	t.resumeFrame = -1
	t.stillBtn = widget.NewButtonWithIcon("Still", theme.FileImageIcon(), func() { s.snapshot(); s.refocus() })
	t.stillBtn.Importance = widget.LowImportance
	t.folderBtn = widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() { s.chooseStillFolder(nil) })
	t.folderBtn.Importance = widget.LowImportance
	t.adjustBtn = widget.NewButtonWithIcon("Picture", theme.ColorPaletteIcon(), func() { s.toggleAdjust(); s.refocus() })
	t.adjustBtn.Importance = widget.LowImportance
	if _, ok := s.lib.(stillAPI); !ok {
		t.stillBtn.Hide()
		t.folderBtn.Hide()
	}
	t.pickFolder = func(done func(string)) {
		d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			s.endModal()
			if err == nil && u != nil {
				done(u.Path())
			}
			s.refocus()
		}, s.win)
		d.SetConfirmText("Save stills here")
		d.Resize(fyne.NewSize(min(800, s.win.Canvas().Size().Width-40), min(560, s.win.Canvas().Size().Height-40)))
		s.showModal(d)
	}

	slider := func(lo, hi, step float64) *widget.Slider {
		sl := widget.NewSlider(lo, hi)
		sl.Step = step
		sl.OnChanged = func(float64) { s.adjustChanged() }
		sl.OnChangeEnded = func(float64) { s.refocus() }
		return sl
	}
	t.bright = slider(-100, 100, 1)
	t.contrast = slider(-100, 100, 1)
	t.gamma = slider(0.25, 4, 0.05)
	t.gamma.Value = 1
	t.adjLabel = widget.NewLabel("")
	t.adjLabel.TextStyle.Monospace = true
	t.stillCheck = widget.NewCheck("Stills keep this adjustment (marked as adjusted)", func(on bool) {
		t.stillAdjusted = on
		s.refocus()
	})
	reset := widget.NewButtonWithIcon("Reset", theme.ViewRefreshIcon(), func() { s.resetAdjust(); s.refocus() })
	closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { s.toggleAdjust(); s.refocus() })
	closeBtn.Importance = widget.LowImportance
	head := widget.NewLabelWithStyle("Picture (display only)", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	hint := widget.NewLabel("What the screen shows; the master is never changed.")
	hint.Wrapping = fyne.TextWrapWord
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel("Brightness"), t.bright,
		widget.NewLabel("Contrast"), t.contrast,
		widget.NewLabel("Gamma"), t.gamma)
	// At the top right of the picture: the message over the video is at
	// the bottom left.
	t.panel = container.NewVBox(container.NewHBox(layout.NewSpacer(),
		container.New(&fixedWidth{w: 440}, card(container.NewVBox(
			container.NewBorder(nil, nil, nil, closeBtn, head), hint, form,
			container.NewBorder(nil, nil, nil, reset, t.adjLabel), t.stillCheck)))))
	t.panel.Hide()
	s.showAdjust()

	t.toast = widget.NewLabel("")
	t.toast.Wrapping = fyne.TextWrapWord
	t.toastBox = container.NewVBox(layout.NewSpacer(), container.New(&fixedWidth{w: 620}, card(t.toast)))
	t.toastBox.Hide()

	t.resumeLbl = widget.NewLabel("")
	resume := widget.NewButtonWithIcon("Resume", theme.MediaPlayIcon(), func() { s.acceptResume(); s.refocus() })
	resume.Importance = widget.HighImportance
	fromStart := widget.NewButton("From the start", func() { s.dismissResume(); s.refocus() })
	t.resumeBox = container.NewVBox(container.NewCenter(card(container.NewHBox(t.resumeLbl, resume, fromStart))))
	t.resumeBox.Hide()

	t.wave = NewWaveformView(nil, "")
	t.waveSlot = container.NewStack(t.wave)
	t.waveSlot.Hide()

	t.gpsLbl = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	t.gpsCopy = widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() { s.copyGPS(); s.refocus() })
	t.gpsCopy.Importance = widget.LowImportance
	t.gpsBox = container.NewHBox(widget.NewSeparator(), t.gpsLbl, t.gpsCopy)
	t.gpsBox.Hide()
}

// overlays are the tools drawn over the video, bottom first.
func (s *reviewScreen) toolOverlays() []fyne.CanvasObject {
	return []fyne.CanvasObject{s.tools.resumeBox, s.tools.toastBox, s.tools.panel}
}

// openedTools sets the tools up for the opened recording.
func (s *reviewScreen) openedTools() {
	t := &s.tools
	s.timeline.Mods = s.mods
	if !s.rec.RecordedAt.IsZero() {
		s.timeline.SetWallClock(s.rec.RecordedAt)
	}
	t.wave = NewWaveformView(s.timeline, "")
	s.timeline.OnView = t.wave.Refresh
	t.waveSlot.Objects = []fyne.CanvasObject{t.wave}
	t.waveSlot.Refresh()
	if g := s.rec.Personal.GPS; g != nil {
		t.gpsLbl.SetText(formatGPS(g.Lat, g.Lon))
		t.gpsBox.Show()
	}
	if wa, ok := s.lib.(waveformAPI); ok {
		t.wave.SetNote("Reading the sound…")
		t.waveSlot.Show()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			w, err := wa.Waveform(s.ctx, s.id)
			s.do(func() {
				if s.closed {
					return
				}
				switch {
				case err == nil:
					t.wave.SetLevels(w.Bucket, w.Levels)
				case errors.Is(err, app.ErrNoAudio):
					t.wave.SetNote("No sound in this recording.")
				case ignorable(err) || errors.Is(err, context.Canceled):
				default:
					s.log.Warn("waveform", "id", s.id, "error", err)
					t.wave.SetNote("The sound could not be read: " + err.Error())
				}
			})
		}()
	}
	if ra, ok := s.lib.(resumeAPI); ok {
		count := s.count
		s.data.push(dataJob{run: func(ctx context.Context) {
			n, ok, err := ra.ResumePosition(ctx, s.id)
			if err != nil {
				s.log.Warn("resume position", "id", s.id, "error", err)
				return
			}
			if !ok || n <= 0 || n >= count-1 {
				return
			}
			s.do(func() { s.offerResume(n) })
		}})
	}
	s.content.Refresh()
}

// offerResume shows "You left this recording at frame n" with Resume
// (Enter) and From the start (Escape).
func (s *reviewScreen) offerResume(n int) {
	if s.closed || s.cur != 0 {
		return // the user has already moved
	}
	t := &s.tools
	t.resumeFrame = n
	text := "You left this recording at frame " + itoa(n) + " (" + app.FormatMediaTime(s.frames[n])
	if !s.rec.RecordedAt.IsZero() {
		text += ", camera " + s.rec.RecordedAt.Add(s.frames[n]).In(time.Local).Format("15:04:05")
	}
	t.resumeLbl.SetText(text + ").")
	t.resumeBox.Show()
}

// resumeOffered reports whether the resume offer is shown.
func (s *reviewScreen) resumeOffered() bool { return s.tools.resumeFrame >= 0 }

// acceptResume goes to the offered position.
func (s *reviewScreen) acceptResume() {
	n := s.tools.resumeFrame
	s.dismissResume()
	if n >= 0 {
		s.seekFrame(n)
	}
}

// dismissResume hides the offer.
func (s *reviewScreen) dismissResume() {
	s.tools.resumeFrame = -1
	s.tools.resumeBox.Hide()
}

// saveResume remembers where the user leaves the recording (closing: it
// runs without the screen's context, which is cancelled). The last frame
// counts as finished: the position is forgotten.
func (s *reviewScreen) saveResume() func() {
	ra, ok := s.lib.(resumeAPI)
	if !ok || s.count == 0 || s.failed {
		return func() {}
	}
	n, id, log := s.cur, s.id, s.log
	if n >= s.count-1 {
		n = 0
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ra.SaveResumePosition(ctx, id, n); err != nil {
			log.Warn("save resume position", "id", id, "error", err)
		}
	}
}

// say shows a short message over the video for a few seconds.
func (s *reviewScreen) flash(msg string) {
	t := &s.tools
	t.toast.SetText(msg)
	t.toastBox.Show()
	if t.toastTimer != nil {
		t.toastTimer.Stop()
	}
	t.toastTimer = time.AfterFunc(6*time.Second, func() {
		s.do(func() {
			if t.toast.Text == msg {
				t.toastBox.Hide()
			}
		})
	})
}

// Flash returns the message shown over the video ("" when none).
func (s *reviewScreen) flashText() string {
	if !s.tools.toastBox.Visible() {
		return ""
	}
	return s.tools.toast.Text
}

// snapshot (S) saves the frame shown as an evidential still into the
// user's stills folder, asking for the folder the first time.
func (s *reviewScreen) snapshot() {
	sa, ok := s.lib.(stillAPI)
	if !ok || !s.ready() || s.tools.saving {
		return
	}
	req := app.StillRequest{ID: s.rec.ID, Frame: s.cur, Time: -1}
	if s.tools.stillAdjusted {
		req.Adjust = s.tools.adjust
	}
	s.tools.saving = true
	s.flash("Saving a still of frame " + itoa(req.Frame) + "…")
	s.data.push(dataJob{run: func(ctx context.Context) {
		dir, err := sa.StillFolder(ctx)
		if err == nil && dir == "" {
			s.do(func() {
				s.tools.saving = false
				s.tools.toastBox.Hide()
				s.chooseStillFolder(func() { s.snapshot() })
			})
			return
		}
		var path string
		if err == nil {
			path, _, err = sa.SaveStill(ctx, req, dir)
		}
		s.do(func() {
			s.tools.saving = false
			if s.closed {
				return
			}
			if err != nil {
				if !ignorable(err) {
					s.log.Warn("still", "id", s.id, "frame", req.Frame, "error", err)
					s.flash("No still was saved: " + reviewErrorMessage(err))
				}
				return
			}
			what := "Still of frame " + itoa(req.Frame)
			if !req.Adjust.Neutral() {
				what += " (adjusted for viewing, marked so)"
			} else if !s.tools.adjust.Neutral() {
				what += " (as recorded, without the display adjustment)"
			}
			s.flash(what + " saved to " + path)
		})
	}})
}

// chooseStillFolder asks for the folder stills go to and remembers it for
// the user; then (if not nil) calls next.
func (s *reviewScreen) chooseStillFolder(next func()) {
	sa, ok := s.lib.(stillAPI)
	if !ok || s.modal || s.closed {
		return
	}
	s.tools.pickFolder(func(dir string) {
		s.data.push(dataJob{run: func(ctx context.Context) {
			err := sa.SetStillFolder(ctx, dir)
			s.do(func() {
				if s.closed {
					return
				}
				if err != nil {
					s.flash("That folder cannot be used for stills: " + err.Error())
					return
				}
				s.flash("Stills will be saved to " + dir)
				if next != nil {
					next()
				}
			})
		}})
	})
}

// toggleAdjust shows or hides the picture adjustments (V).
func (s *reviewScreen) toggleAdjust() {
	if s.tools.panel.Visible() {
		s.tools.panel.Hide()
	} else {
		s.tools.panel.Show()
	}
}

// adjustChanged applies the sliders to the picture shown.
func (s *reviewScreen) adjustChanged() {
	t := &s.tools
	s.setAdjust(app.PictureAdjust{Brightness: t.bright.Value, Contrast: t.contrast.Value, Gamma: t.gamma.Value})
}

// setAdjust shows the picture adjusted by a (display only).
func (s *reviewScreen) setAdjust(a app.PictureAdjust) {
	t := &s.tools
	if a == t.adjust {
		return
	}
	t.adjust = a
	if a.Neutral() {
		s.video.SetLUT(nil)
	} else {
		lut := a.LUT()
		s.video.SetLUT(&lut)
	}
	s.showAdjust()
}

// showAdjust shows whether the picture is adjusted, on the button too.
func (s *reviewScreen) showAdjust() {
	t := &s.tools
	if t.adjust.Neutral() {
		t.adjLabel.SetText("As recorded")
		t.adjustBtn.SetText("Picture")
		t.adjustBtn.Importance = widget.LowImportance
	} else {
		t.adjLabel.SetText(t.adjust.String())
		t.adjustBtn.SetText("Picture adjusted")
		t.adjustBtn.Importance = widget.WarningImportance
	}
	t.adjustBtn.Refresh()
}

// resetAdjust shows the picture as recorded again.
func (s *reviewScreen) resetAdjust() {
	t := &s.tools
	t.bright.SetValue(0)
	t.contrast.SetValue(0)
	t.gamma.SetValue(1)
	s.setAdjust(app.PictureAdjust{})
}

// copyGPS puts the recording's position on the clipboard.
func (s *reviewScreen) copyGPS() {
	if s.rec == nil || s.rec.Personal.GPS == nil {
		return
	}
	g := s.rec.Personal.GPS
	text := fmt.Sprintf("%.6f, %.6f", g.Lat, g.Lon)
	fyne.CurrentApp().Clipboard().SetContent(text)
	s.flash("Position " + text + " copied to the clipboard.")
}
