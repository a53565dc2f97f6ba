package app

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strconv"
	"time"

	"exhibit/app/media"
	"exhibit/bundle"
	"exhibit/player"
)

// A bundle that carries redacted copies is for disclosure or a subject
// access request: it goes to people outside the force. Free text (marker
// notes, decision and legal hold reasons) can name the very people the
// redaction hides, so it is withheld unless asked for explicitly
// (ExportRequest.WithNotes), and its stills come from the redacted
// copies, never from the master.

// redactedCopy is a redacted copy written into a bundle.
type redactedCopy struct {
	part     *exportPart // the project's recording and range; spec is the project id
	clip     *playerClip
	file     string // the copy in the bundle's temporary folder
	ref      string // its exhibit reference
	sha256   string
	frameMap []int // master frame of each of its frames
}

// redactedStill is a marker's still taken from a redacted copy.
type redactedStill struct {
	path      string
	png       []byte
	ref       string // the redacted copy's exhibit reference
	clipFrame int    // its frame in the redacted copy
}

func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + one + "s"
}

// notesPolicy counts the free text of the bundle's recordings (the
// markers with a note, the decisions and legal holds with a reason) and,
// in a bundle with redacted copies (disclosure) unless it was asked for
// (asked), takes it out of recs: the report, the offline player and the
// manifest are made from recs, so the text cannot reach them. It returns
// the manifest's record of it.
func notesPolicy(order []string, recs map[string]*exportRecording, disclosure, asked bool) *bundle.NotesPolicy {
	withhold := disclosure && !asked
	np := &bundle.NotesPolicy{Withheld: withhold, Asked: asked}
	for _, id := range order {
		er := recs[id]
		for i, a := range er.marks {
			if a.Note == "" {
				continue
			}
			np.Markers++
			if withhold {
				c := *a
				c.Note = ""
				er.marks[i] = &c
			}
		}
		for i, d := range er.decisions {
			if d.Reason == "" {
				continue
			}
			np.Decisions++
			if withhold {
				c := *d
				c.Reason = ""
				er.decisions[i] = &c
			}
		}
		for i, h := range er.holds {
			if h.Reason == "" && h.ReleaseReason == "" {
				continue
			}
			np.Holds++
			if withhold {
				c := *h
				c.Reason, c.ReleaseReason = "", ""
				er.holds[i] = &c
			}
		}
	}
	counts := plural(np.Markers, "marker") + ", " + plural(np.Decisions, "decision")
	if np.Holds > 0 {
		counts += ", " + plural(np.Holds, "legal hold")
	}
	switch {
	case !disclosure:
	case withhold:
		np.Statement = "Notes and reasons are withheld from this disclosure bundle; " + counts + ". " +
			"Free text can name the people the redaction hides: the frames, categories, decisions, who and when are kept, " +
			"the text is not. Only an export asked for with --with-notes includes it."
	default:
		np.Statement = "Notes and reasons are included in this disclosure bundle because they were asked for explicitly " +
			"(--with-notes); " + counts + "."
	}
	return np
}

// exportRedactedStills adds a still at the first frame of each marker
// of the copy's recording that the redacted copy shows, decoded from the
// copy itself (the file in the bundle, through the player engine as
// RenderStill does, rendered twice from two positions and compared): its
// frame map names the copy's frame that shows the marker's master frame.
// A marker whose frame the copy does not show gets no still from it.
// Each still is audited (still, naming the copy).
func (l *Library) exportRedactedStills(ctx context.Context, w *bundle.Writer, er *exportRecording, rc *redactedCopy) error {
	rec := er.rec
	clipFrame := map[int]int{}
	for k, mf := range rc.frameMap {
		if _, dup := clipFrame[mf]; !dup {
			clipFrame[mf] = k
		}
	}
	var eng *player.Engine
	var src player.Source
	defer func() {
		if eng != nil {
			_ = eng.Close() // teardown of a read-only engine: the stills are written or failed
		}
	}()
	made := map[int]redactedStill{} // master frame -> still
	for _, a := range sortedMarks(er.marks) {
		k, ok := clipFrame[a.FrameIn]
		if !ok {
			continue
		}
		if st, ok := made[a.FrameIn]; ok {
			er.redStills[a.ID] = append(er.redStills[a.ID], st)
			continue
		}
		if eng == nil {
			ft, err := media.ReadFrameTable(ctx, rc.file)
			if err != nil {
				return fmt.Errorf("stills of redacted copy %s: read its frame table: %w", rc.ref, err)
			}
			if ft.Len() != len(rc.frameMap) {
				return fmt.Errorf("stills of redacted copy %s: it has %d frames, its frame map %d", rc.ref, ft.Len(), len(rc.frameMap))
			}
			src = PlayerSource(&Recording{ID: rc.ref, RecordedAt: rec.RecordedAt}, ft, nil, 0)
			src.Path = rc.file
			if eng, err = player.Open(src, player.Options{AudioOutput: "null", CacheBytes: -1}); err != nil {
				return fmt.Errorf("stills of redacted copy %s: open the player: %w", rc.ref, err)
			}
		}
		pic, err := confirmedFrame(ctx, eng, k, len(src.Frames)-1)
		if err != nil {
			return fmt.Errorf("still of marker %s from redacted copy %s: %w", a.ID, rc.ref, err)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, pic); err != nil {
			return fmt.Errorf("still of marker %s from redacted copy %s: encode PNG: %w", a.ID, rc.ref, err)
		}
		f := a.FrameIn
		wall := rec.RecordedAt.Add(er.times[f]).UTC()
		b, err := insertTextChunks(buf.Bytes(), [][2]string{
			{"Title", fmt.Sprintf("Exhibit still from redacted copy %s: recording %s frame %d", rc.ref, rec.ID, f)},
			{"Exhibit-Recording", rec.ID},
			{"Exhibit-Master-SHA256", rec.SHA256},
			{"Exhibit-Frame", strconv.Itoa(f)},
			{"Exhibit-Redacted-Copy", rc.ref},
			{"Exhibit-Redacted-Copy-SHA256", rc.sha256},
			{"Exhibit-Redacted-Copy-Frame", strconv.Itoa(k)},
			{"Exhibit-Wall-Clock", wall.Format(time.RFC3339Nano)},
			{"Software", "Exhibit"},
		})
		if err != nil {
			return fmt.Errorf("still of marker %s from redacted copy %s: %w", a.ID, rc.ref, err)
		}
		path := fmt.Sprintf("stills/%s_f%06d_redacted-%s.png", rec.ID, f, rc.part.spec)
		if err := w.AddBytes(bundle.Item{Path: path, Kind: bundle.KindStillRedacted, ExhibitRef: rc.ref + "/F" + strconv.Itoa(k),
			MasterID: rec.ID, MasterSHA256: rec.SHA256, Frame: &f, Of: rc.clip.Path}, b); err != nil {
			return err
		}
		e := l.entry("still")
		e.RecordingID, e.SHA256 = rec.ID, rec.SHA256
		e.Detail = fmt.Sprintf("frame %d from redacted copy %s (its frame %d) into a bundle", f, rc.ref, k)
		if err := l.st.Audit(ctx, e); err != nil {
			return fmt.Errorf("still of marker %s from redacted copy %s: audit: %w", a.ID, rc.ref, err)
		}
		st := redactedStill{path: path, png: b, ref: rc.ref, clipFrame: k}
		made[f] = st
		er.redStills[a.ID] = append(er.redStills[a.ID], st)
	}
	return nil
}
