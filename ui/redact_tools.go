package ui

import (
	"context"
	"fmt"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
	"exhibit/app/redact"
)

// The editor's longer jobs, each on its own goroutine with its outcome
// shown in one UI update: face detection (all frames, or the frame shown),
// following a box, and the render.

// detect looks for faces on the frame shown (here) or on every fifth
// frame of the project; the proposals found replace the pending ones.
// While a run over all frames goes on, its button stops it.
func (s *redactScreen) detect(here bool) {
	p := s.panel
	if !s.ready() || !s.loaded {
		return
	}
	if s.detecting != nil {
		s.detecting() // the button reads Stop
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.detecting = cancel
	p.hereBtn.Disable()
	if here {
		p.detectBtn.Disable()
		p.detectLbl.SetText("Looking for faces on frame " + itoa(s.cur) + "…")
	} else {
		p.detectBtn.SetText("Stop")
		p.detectBtn.SetIcon(theme.MediaStopIcon())
		p.detectLbl.SetText("Looking for faces on every " + itoa(app.DefaultDetectEvery) + "th frame…")
	}
	projID, n := s.projID, s.cur
	var done, total atomic.Int64
	var pending atomic.Bool
	progress := func(d, t int) {
		done.Store(int64(d))
		total.Store(int64(t))
		if pending.CompareAndSwap(false, true) {
			s.do(func() {
				pending.Store(false)
				if s.detecting != nil && !s.closed {
					p.detectLbl.SetText(fmt.Sprintf("Looking for faces: %d of %d frames examined…", done.Load(), total.Load()))
				}
			})
		}
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var (
			res app.DetectResult
			err error
		)
		if here {
			res, err = s.lib.DetectFacesAt(ctx, projID, n)
		} else {
			res, err = s.lib.DetectFaces(ctx, projID, 0, progress)
		}
		stopped := ctx.Err() != nil
		cancel()
		s.do(func() {
			if s.closed {
				return
			}
			s.detecting = nil
			p.detectBtn.SetText("Find faces in all frames")
			p.detectBtn.SetIcon(theme.SearchIcon())
			p.detectBtn.Enable()
			p.hereBtn.Enable()
			switch {
			case stopped:
				p.detectLbl.SetText("Stopped; the proposals are as they were.")
			case err != nil:
				s.log.Warn("redaction detect", "project", projID, "error", err)
				p.detectLbl.SetText("Faces could not be looked for: " + app.UserMessage(err))
			default:
				s.proj.Proposals = res.Project.Proposals
				p.detectLbl.SetText(fmt.Sprintf("%s found on %s: %s. They hide nothing until accepted.",
					countOf(res.Detections, "face"), countOf(res.Frames, "frame"), countOf(len(res.Proposals), "proposal")))
				s.projectChanged()
			}
		})
	}()
}

// follow tracks the selected box from the frame shown forward (dir > 0)
// or backward to the project's end, and makes what it found keyframes of
// the track (one change, undone as one). It says where it stopped and why.
func (s *redactScreen) follow(dir int) {
	p := s.panel
	if s.tracking != nil {
		s.tracking() // Stop
		return
	}
	if !s.canEdit() {
		return
	}
	t, ok := s.track(s.sel)
	if !ok {
		return
	}
	b, on := t.BoxAt(s.cur)
	if !on || b.Empty() {
		s.say("The selected track has no box on this frame: go to a frame where it is drawn, then follow it.", true)
		return
	}
	id := s.saver.ids.get(t.ID)
	if isProvisional(id) {
		s.say("The box is still being saved; follow it in a moment.", true)
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.tracking = cancel
	btn := p.followFw
	if dir < 0 {
		btn = p.followBk
	}
	other := p.followBk
	if dir < 0 {
		other = p.followFw
	}
	label := btn.Text
	btn.SetText("Stop")
	other.Disable()
	way := "forward"
	if dir < 0 {
		way = "backward"
	}
	p.followLbl.Show()
	p.fitDetail(true) // a line more
	p.followLbl.SetText("Following the box " + way + " from frame " + itoa(s.cur) + "… (Stop ends it)")
	req := app.TrackRequest{TrackID: id, Frame: s.cur, Box: b, Backward: dir < 0, To: -1}
	projID := s.projID
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		res, err := s.lib.TrackBox(ctx, projID, req)
		stopped := ctx.Err() != nil
		cancel()
		s.do(func() {
			if s.closed {
				return
			}
			s.tracking = nil
			btn.SetText(label)
			other.Enable()
			switch {
			case stopped:
				p.followLbl.SetText("Stopped; the track is as it was.")
			case err != nil:
				s.log.Warn("redaction follow", "project", projID, "track", id, "error", err)
				p.followLbl.SetText("The box could not be followed: " + app.UserMessage(err))
			default:
				p.followLbl.SetText(res.Message())
				s.addFollowed(id, res)
			}
			p.fitDetail(false)
		})
	}()
}

// addFollowed makes the keyframes a follow produced part of track id.
func (s *redactScreen) addFollowed(id string, res redact.TrackResult) {
	t, ok := s.track(id)
	if !ok || len(res.Keyframes) == 0 {
		return
	}
	before := cloneTrack(t)
	for _, k := range res.Keyframes {
		setKeyframe(&t, k.Frame, k.Box)
	}
	s.putTrack("the followed boxes", before, t)
}

// renderDialog renders the project (its version once every edit is
// saved) into a redacted copy kept in the store, with a progress bar and
// Cancel.
func (s *redactScreen) renderDialog() {
	if !s.ready() || !s.loaded || s.modal {
		return
	}
	if n, _, err := s.saver.state(); err != nil || n > 0 {
		s.say("Wait until every change is saved (see the line at the bottom), then render.", true)
		return
	}
	noReason := 0
	for _, t := range s.proj.Tracks {
		if t.Reason == "" {
			noReason++
		}
	}
	text := fmt.Sprintf("Render frames %d–%d of recording %s with %s, %s and %s hidden (project version %d). "+
		"The redacted copy is kept encrypted in the store as a new exhibit; the master is not changed.",
		s.proj.From, s.proj.To, s.recID, countOf(len(s.proj.Tracks), "track"), countOf(len(s.proj.Frames), "picture range"),
		countOf(len(s.proj.Audio), "sound range"), s.proj.Version)
	switch {
	case noReason == 1:
		text += " 1 track has no reason yet: the redaction log will show its reason blank."
	case noReason > 1:
		text += " " + itoa(noReason) + " tracks have no reason yet: the redaction log will show their reasons blank."
	}
	lbl := widget.NewLabel(text)
	lbl.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Render the redacted copy", "Render", "Cancel", lbl, func(ok bool) {
		s.endModal()
		if ok {
			s.render()
			return
		}
		s.refocus()
	}, s.win)
	d.Resize(fyne.NewSize(540, 240))
	s.showModal(d)
}

// render runs RenderRedaction with a progress bar; Cancel stops it and
// nothing is kept.
func (s *redactScreen) render() {
	ctx, cancel := context.WithCancel(s.ctx)
	bar := widget.NewProgressBar()
	label := widget.NewLabel(fmt.Sprintf("Rendering frames %d–%d…", s.proj.From, s.proj.To))
	var d *dialog.CustomDialog
	stop := widget.NewButton("Cancel", func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons("Render", container.NewVBox(label, bar, container.NewCenter(stop)), s.win)
	d.SetOnClosed(func() {
		cancel() // a no-op once the render is done
		s.endModal()
		s.refocus()
	})
	d.Resize(fyne.NewSize(440, 160))
	s.showModal(d)
	progress := barProgress(s.do, bar)
	projID := s.projID
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		res, err := s.lib.RenderRedaction(ctx, projID, "", progress)
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
				s.status.Importance = widget.SuccessImportance
				s.status.SetText(fmt.Sprintf("Redacted copy %s made from project version %d, kept in the store (SHA-256 %s…).",
					res.Ref, res.RedactionVersion, res.SHA256[:16]))
			case cancelled:
				s.status.Importance = widget.MediumImportance
				s.status.SetText("The render was cancelled; nothing was kept.")
			default:
				s.log.Warn("redaction render", "project", projID, "error", err)
				s.status.Importance = widget.DangerImportance
				s.status.SetText("No redacted copy was made: " + app.UserMessage(err))
			}
			s.status.Refresh()
		})
	}()
}
