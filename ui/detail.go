package ui

import (
	"fmt"
	"image"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// detailPane shows everything known about the selected recording.
type detailPane struct {
	root        fyne.CanvasObject
	placeholder fyne.CanvasObject
	body        fyne.CanvasObject

	img     *canvas.Image
	title   *widget.Label
	sha     *widget.Label
	problem *widget.Label
	copy    *widget.Button
	review  *widget.Button
	audit   *widget.Button
	// restrict restricts or unrestricts (shown only when onRestrict is set).
	restrict   *widget.Button
	restricted *widget.Label
	values     map[string]*widget.Label
	gpsKey     *widget.Label
	copied     func(string) // shows a short confirmation
	// onReview opens the review screen of the recording shown.
	onReview func(id string)
	// onAudit shows the audit trail of the recording shown.
	onAudit func(id string)
	// onRestrict, when set, offers to restrict or unrestrict the recording
	// shown (professional standards only).
	onRestrict func(r *app.Recording)

	// clipsHead and clipsBox list the recording's clips (derivatives).
	clipsHead *widget.Label
	clipsBox  *fyne.Container

	rec *app.Recording
	// gpsCopy copies the position (shown with it).
	gpsCopy *widget.Button
}

// Detail field names, in display order.
var detailFields = []string{
	"ID", "Recorded", "Time source", "Ingested", "Officer", "Device serial", "Make / model", "GPS",
	"Source file", "Video", "Frames", "Frame check", "Duration", "Audio", "Container", "Size", "Status", "Deletion",
}

func newDetailPane(copied func(string)) *detailPane {
	d := &detailPane{values: map[string]*widget.Label{}, copied: copied}
	d.img = canvas.NewImageFromResource(theme.FileVideoIcon())
	d.img.FillMode = canvas.ImageFillContain
	d.img.ScaleMode = canvas.ImageScaleSmooth
	d.img.SetMinSize(fyne.NewSize(384, 216))
	imgBG := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))

	d.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.title.SizeName = theme.SizeNameSubHeadingText

	form := container.New(layout.NewFormLayout())
	for _, name := range detailFields {
		key := widget.NewLabelWithStyle(name, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		key.Importance = widget.MediumImportance
		val := widget.NewLabel("")
		val.Wrapping = fyne.TextWrapWord
		val.Selectable = true
		if name == "ID" {
			val.TextStyle.Monospace = true
		}
		if name == "GPS" {
			d.gpsKey = key
		}
		d.values[name] = val
		form.Add(key)
		if name == "GPS" {
			// The position is copied as "lat, lon" (no map: nothing from
			// the network).
			d.gpsCopy = widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() {
				if d.rec == nil || d.rec.Personal.GPS == nil {
					return
				}
				g := d.rec.Personal.GPS
				text := fmt.Sprintf("%.6f, %.6f", g.Lat, g.Lon)
				fyne.CurrentApp().Clipboard().SetContent(text)
				if d.copied != nil {
					d.copied("Position " + text + " of " + d.rec.ID + " copied to the clipboard.")
				}
			})
			d.gpsCopy.Importance = widget.LowImportance
			form.Add(container.NewBorder(nil, nil, nil, d.gpsCopy, val))
			continue
		}
		form.Add(val)
	}

	d.sha = widget.NewLabel("")
	d.sha.TextStyle.Monospace = true
	d.sha.Wrapping = fyne.TextWrapBreak
	d.sha.Selectable = true
	d.copy = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		if d.rec == nil {
			return
		}
		fyne.CurrentApp().Clipboard().SetContent(d.rec.SHA256)
		if d.copied != nil {
			d.copied("SHA-256 of " + d.rec.ID + " copied to the clipboard.")
		}
	})
	shaHead := container.NewBorder(nil, nil,
		widget.NewLabelWithStyle("SHA-256 of the master", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), d.copy)

	d.problem = widget.NewLabel("")
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Importance = widget.DangerImportance
	d.problem.Hide()

	d.review = widget.NewButtonWithIcon("Review", theme.MediaPlayIcon(), func() {
		if d.rec != nil && d.onReview != nil {
			d.onReview(d.rec.ID)
		}
	})
	d.review.Importance = widget.HighImportance
	d.audit = widget.NewButtonWithIcon("Audit trail", theme.ListIcon(), func() {
		if d.rec != nil && d.onAudit != nil {
			d.onAudit(d.rec.ID)
		}
	})
	d.restrict = widget.NewButtonWithIcon("Restrict…", theme.VisibilityOffIcon(), func() {
		if d.rec != nil && d.onRestrict != nil {
			d.onRestrict(d.rec)
		}
	})
	d.restrict.Hide()
	d.restricted = widget.NewLabelWithStyle("Restricted: only professional standards can see this recording.",
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.restricted.Wrapping = fyne.TextWrapWord
	d.restricted.Importance = widget.WarningImportance
	d.restricted.Hide()

	d.clipsHead = widget.NewLabelWithStyle("Clips", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.clipsBox = container.NewVBox()

	d.body = container.NewVBox(
		container.NewStack(imgBG, d.img),
		d.title,
		container.NewHBox(d.review, d.audit, d.restrict),
		d.restricted,
		d.problem,
		shaHead,
		d.sha,
		widget.NewSeparator(),
		form,
		d.clipsHead,
		d.clipsBox,
	)
	d.placeholder = container.NewCenter(widget.NewLabel("Select a recording to see its details."))
	d.root = container.NewStack(d.placeholder, container.NewVScroll(container.NewPadded(d.body)))
	d.show(nil, nil, true)
	return d
}

// show fills the pane for r (nil clears it) with its thumbnail img (nil
// while unknown or when it has none). complete is false for a list row,
// which lacks the technical fields: those show "…" until the full record.
func (d *detailPane) show(r *app.Recording, img image.Image, complete bool) {
	prev := d.rec
	d.rec = r
	scroll := d.root.(*fyne.Container).Objects[1]
	d.problem.Hide()
	if r == nil {
		scroll.Hide()
		d.placeholder.Show()
		return
	}
	d.placeholder.Hide()
	scroll.Show()
	if prev == nil || prev.ID != r.ID {
		d.showClips(nil) // until the clips of this recording are read
	}
	d.setImage(img)
	d.title.SetText("Recording " + r.ID)
	if r.Restricted {
		d.restricted.Show()
		d.restrict.SetText("Unrestrict…")
		d.restrict.SetIcon(theme.VisibilityIcon())
	} else {
		d.restricted.Hide()
		d.restrict.SetText("Restrict…")
		d.restrict.SetIcon(theme.VisibilityOffIcon())
	}
	if d.onRestrict != nil {
		d.restrict.Show()
	} else {
		d.restrict.Hide()
	}
	d.sha.SetText(r.SHA256)
	p := r.Personal
	set := func(k, v string) { d.values[k].SetText(v) }
	set("ID", r.ID)
	set("Recorded", formatWhenWithUTC(r.RecordedAt))
	set("Time source", recordedAtSource(r.RecordedAtSource))
	set("Ingested", formatWhenSeconds(r.IngestedAt))
	set("Officer", orDash(p.Officer))
	set("Device serial", orDash(p.DeviceSerial))
	set("Make / model", orDash(app.MakeModel(p.Make, p.Model)))
	if p.GPS != nil {
		set("GPS", formatGPS(p.GPS.Lat, p.GPS.Lon))
		d.gpsKey.Show()
		d.values["GPS"].Show()
		d.gpsCopy.Show()
	} else {
		set("GPS", "")
		d.gpsKey.Hide()
		d.values["GPS"].Hide()
		d.gpsCopy.Hide()
	}
	set("Source file", orDash(p.SourceName))
	set("Video", videoSummary(r))
	set("Frames", groupDigits(int64(r.Frames)))
	set("Frame check", frameCheckWords(r))
	set("Duration", fmt.Sprintf("%s (%.3f s)", formatDuration(r.Duration), r.Duration.Seconds()))
	set("Audio", codecName(r.AudioCodec))
	set("Container", orDash(r.Container))
	set("Size", formatSize(r.Size))
	set("Status", displayStatusLabel(app.DisplayStatus(r)))
	set("Deletion", retentionWords(app.RetentionItem{Status: r.Status, Held: r.Held, Outcome: app.RetentionOf(r), DeleteAt: r.DeleteAt, Rule: r.RetentionRule}, time.Now()))
	if !complete {
		for _, k := range []string{"Time source", "Ingested", "Video", "Audio", "Container", "Size"} {
			set(k, "…")
		}
	}
}

// showClips lists the clips of the recording shown: reference, kind,
// frames, size, who and when, the clip check ("frames being checked"
// until its decoded frames are hashed, "frame check failed"), and the
// clip's SHA-256.
func (d *detailPane) showClips(clips []*app.Derivative) {
	d.clipsBox.RemoveAll()
	if len(clips) == 0 {
		d.clipsHead.Hide()
		d.clipsBox.Hide()
		return
	}
	d.clipsHead.SetText(fmt.Sprintf("Clips (%d)", len(clips)))
	for _, c := range clips {
		kind := "court copy"
		if c.Kind == app.KindClipLossless {
			kind = "lossless"
		}
		text := fmt.Sprintf("%s · %s · frames %d–%d · %s · by %s, %s", c.Ref, kind, c.From, c.To,
			formatSize(c.Size), c.CreatedBy, formatWhenSeconds(c.CreatedAt))
		if l := app.ClipCheckLabel(c); l != "" {
			text += " · " + l
		}
		head := widget.NewLabel(text)
		head.Wrapping = fyne.TextWrapWord
		sum := widget.NewLabel(c.SHA256)
		sum.TextStyle.Monospace = true
		sum.Wrapping = fyne.TextWrapBreak
		sum.Selectable = true
		d.clipsBox.Add(container.NewVBox(head, sum))
	}
	d.clipsHead.Show()
	d.clipsBox.Show()
}

// failed says the full record could not be read.
func (d *detailPane) failed(msg string) {
	d.problem.SetText(msg)
	d.problem.Show()
}

// setImage shows the thumbnail, or a video icon when there is none.
func (d *detailPane) setImage(img image.Image) {
	if img != nil {
		if d.img.Image != img {
			d.img.Resource, d.img.Image = nil, img
			d.img.Refresh()
		}
		return
	}
	if d.img.Image != nil || d.img.Resource == nil {
		d.img.Image, d.img.Resource = nil, theme.FileVideoIcon()
		d.img.Refresh()
	}
}
