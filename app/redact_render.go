package app

import (
	"exhibit/app/media"
	"exhibit/app/redact"
)

// AudioEdits are a project's audio ranges as the render applies them:
// seconds from frame p.From (a range's media time counts from frame 0),
// clipped to the rendered frames; ranges outside them are left out.
func AudioEdits(p redact.Project, ft *media.FrameTable) []media.AudioEdit {
	t0 := ft.Seconds(p.From)
	end := ft.Duration() - t0
	if p.To+1 < ft.Len() {
		end = ft.Seconds(p.To+1) - t0
	}
	var out []media.AudioEdit
	for _, a := range p.Audio {
		from, to := max(0, a.From.Seconds()-t0), min(end, a.To.Seconds()-t0)
		if to <= from {
			continue
		}
		out = append(out, media.AudioEdit{From: from, To: to, Bleep: a.Kind == redact.Bleep})
	}
	return out
}
