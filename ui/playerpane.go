package ui

import (
	"context"
	"image"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
	"exhibit/player"
)

// playerPane is the engine plumbing the review screen and the redaction
// editor share: it opens the recording and its engine, runs the
// navigation worker (one command at a time from the screen's navQueue),
// the playback ticker and the engine's event loop, keeps the play
// generation that lets a newer command win over an older outcome, and
// closes it all again. What it shows, it shows through its host on the
// UI goroutine (through do); the screens differ only in their hooks.
type playerPane struct {
	host  playerHost
	ctx   context.Context
	wg    *sync.WaitGroup // the screen's: close waits for it
	nav   *navQueue
	do    func(func()) // runs a function on the UI goroutine
	log   *slog.Logger
	name  string // the screen in log messages ("review", "redaction")
	attrs []any  // the recording in log messages

	// halt (UI goroutine; may be nil) runs before a navigation request is
	// queued: the review stops playing backward.
	halt func()
	// played (worker goroutine; may be nil) runs after a successful Play.
	played func(eng reviewEngine)

	playGen atomic.Uint64 // changed by every navigation command
	playing atomic.Bool   // the ticker publishes frames while set

	emu sync.Mutex
	eng reviewEngine // set once open, under emu
	med *reviewMedia // under emu
}

// playerHost is what a playerPane asks of its screen. Every method is
// called on the UI goroutine.
type playerHost interface {
	// isClosed reports whether the screen was closed.
	isClosed() bool
	// ready reports whether navigation is possible.
	ready() bool
	// showFrame puts a frame on screen, taking over its reference.
	showFrame(f player.Frame)
	// fail shows err and stops the controls.
	fail(err error)
	// setPlayingUI shows the screen playing forward (on) or not.
	setPlayingUI(on bool)
	// playingForward reports whether the screen shows forward playback,
	// the state a stopping command's outcome ends.
	playingForward() bool
}

// newPlayerPane makes the plumbing of host: commands come from nav,
// goroutines run until ctx is done and are counted in wg; do runs a
// function on the UI goroutine. Log messages name the screen (name) and
// the recording (attrs, key-value pairs).
func newPlayerPane(ctx context.Context, host playerHost, wg *sync.WaitGroup, nav *navQueue, do func(func()),
	log *slog.Logger, name string, attrs ...any) *playerPane {
	return &playerPane{host: host, ctx: ctx, wg: wg, nav: nav, do: do, log: log, name: name, attrs: attrs}
}

// reviewOpener is how a screen opens recording id of lib for its pane.
func reviewOpener(lib interface {
	OpenReview(ctx context.Context, id string) (*app.Review, error)
}, id string) func(ctx context.Context) (*reviewMedia, error) {
	return func(ctx context.Context) (*reviewMedia, error) {
		rv, err := lib.OpenReview(ctx, id)
		if err != nil {
			return nil, err
		}
		return &reviewMedia{rec: rv.Recording, src: rv.Source, close: rv.Close}, nil
	}
}

// openPlayer opens a libmpv engine on src: how a screen opens its
// pane's engine (tests put a fake one in its place).
func openPlayer(src player.Source, opt player.Options) (reviewEngine, error) {
	e, err := player.Open(src, opt)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return e, nil
}

// logArgs is the recording's attributes followed by more.
func (p *playerPane) logArgs(more ...any) []any {
	return append(append([]any(nil), p.attrs...), more...)
}

// media returns the opened recording (nil until open).
func (p *playerPane) media() *reviewMedia {
	p.emu.Lock()
	defer p.emu.Unlock()
	return p.med
}

// open (own goroutine) opens the recording and its engine with opt
// (sized for the recording) and starts the worker, the ticker and the
// event loop. more (may be nil) starts the screen's own goroutines on
// them; it runs under the lock close takes, so that close waits for
// them too (it must add them to wg). On failure it logs and shows the
// error; when the screen closed meanwhile it lets go of both. ok is
// false in both cases.
func (p *playerPane) open(openMed func(ctx context.Context) (*reviewMedia, error),
	openEng func(src player.Source, opt player.Options) (reviewEngine, error), opt player.Options,
	more func(eng reviewEngine, med *reviewMedia)) (eng reviewEngine, med *reviewMedia, ok bool) {
	med, err := openMed(p.ctx)
	if err != nil {
		p.log.Error("open "+p.name+" recording", p.logArgs("error", err)...)
		p.do(func() { p.host.fail(err) })
		return nil, nil, false
	}
	opt.Width, opt.Height = renderSize(med.rec.Width, med.rec.Height)
	eng, err = openEng(med.src, opt)
	if err != nil {
		p.log.Error("open "+p.name+" engine", p.logArgs("error", err)...)
		_ = med.close() // failure path: err is shown
		p.do(func() { p.host.fail(err) })
		return nil, nil, false
	}
	p.emu.Lock()
	defer p.emu.Unlock()
	if p.ctx.Err() != nil {
		_ = eng.Close() // abandoned before use: the screen is closing
		_ = med.close() // abandoned before use: the screen is closing
		return nil, nil, false
	}
	p.eng, p.med = eng, med
	p.wg.Add(3)
	go p.worker(eng)
	go p.ticker(eng)
	go p.events(eng)
	if more != nil {
		more(eng, med)
	}
	return eng, med, true
}

// shutdown (own goroutine, once the screen's context is cancelled)
// closes the engine, waits for the screen's goroutines, runs between (may
// be nil) and closes the recording.
func (p *playerPane) shutdown(between func()) {
	p.emu.Lock()
	eng, med := p.eng, p.med
	p.emu.Unlock()
	if eng != nil {
		if err := eng.Close(); err != nil {
			p.log.Warn("close engine", p.logArgs("error", err)...)
		}
	}
	p.wg.Wait()
	if between != nil {
		between()
	}
	if med != nil {
		if err := med.close(); err != nil {
			p.log.Warn("close recording", p.logArgs("error", err)...)
		}
	}
}

// request (UI goroutine) queues c for the worker when the screen is
// ready: the screen shows itself playing for a play, paused for anything
// else, at once.
func (p *playerPane) request(c navCmd) {
	if !p.host.ready() {
		return
	}
	if p.halt != nil {
		p.halt()
	}
	p.host.setPlayingUI(c.kind == navPlay)
	p.nav.push(c)
}

// worker runs navigation commands one at a time and publishes each
// result with one UI update; a changed A–B loop is applied before the
// next command.
func (p *playerPane) worker(eng reviewEngine) {
	defer p.wg.Done()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-p.nav.wake:
		}
		for {
			p.applyLoop(eng)
			c, ok := p.nav.take()
			if !ok || p.ctx.Err() != nil {
				break
			}
			p.run(eng, c)
		}
	}
}

// applyLoop sets or clears the engine's A–B loop if the wanted one
// changed (worker goroutine).
func (p *playerPane) applyLoop(eng reviewEngine) {
	a, b, ok := p.nav.takeLoop()
	if !ok {
		return
	}
	if b < 0 {
		eng.ClearLoop()
		return
	}
	if err := eng.SetLoop(a, b); err != nil && !ignorable(err) {
		p.log.Warn("loop", p.logArgs("from", a, "to", b, "error", err)...)
	}
}

// run executes one command on the engine (worker goroutine).
func (p *playerPane) run(eng reviewEngine, c navCmd) {
	gen := p.playGen.Add(1)
	var (
		f   player.Frame
		err error
	)
	switch c.kind {
	case navPlay:
		p.playing.Store(true)
		if err = eng.Play(); err != nil {
			p.playing.Store(false)
		}
		p.publish(player.Frame{}, err, false, gen)
		if err == nil && p.played != nil {
			p.played(eng)
		}
		return
	case navPause:
		p.playing.Store(false)
		if err = eng.Pause(); err == nil {
			var ok bool
			if f, ok = eng.LatestFrame(); !ok {
				f = player.Frame{}
			}
		}
	case navSeek:
		p.playing.Store(false)
		f, err = eng.SeekFrame(p.ctx, c.n)
	case navSeekTime:
		p.playing.Store(false)
		f, err = eng.SeekTime(p.ctx, c.d)
	case navSeekRel:
		p.playing.Store(false)
		_, m, _ := eng.Position()
		f, err = eng.SeekTime(p.ctx, max(0, m+c.d))
	case navStep:
		p.playing.Store(false)
		f, err = eng.Step(p.ctx, c.n)
	}
	p.publish(f, err, true, gen)
}

// publish shows a command's outcome with one UI update. gen is the
// command's navigation generation: a stopping command's outcome that
// arrives after a newer command (a play) was taken does not mark the
// screen paused.
func (p *playerPane) publish(f player.Frame, err error, stopped bool, gen uint64) {
	p.do(func() {
		if p.host.isClosed() {
			f.Release()
			return
		}
		if err != nil {
			f.Release()
			if !ignorable(err) {
				p.log.Error(p.name+" navigation", p.logArgs("error", err)...)
				p.host.fail(err)
			}
			return
		}
		if stopped && p.host.playingForward() && !p.nav.busy() && p.playGen.Load() == gen {
			p.host.setPlayingUI(false)
		}
		if f.Image != nil {
			p.host.showFrame(f)
		}
	})
}

// ticker shows playback: at tickRate it takes the engine's latest frame
// and, only when it changed, shows it with one UI update.
func (p *playerPane) ticker(eng reviewEngine) {
	defer p.wg.Done()
	t := time.NewTicker(time.Second / tickRate)
	defer t.Stop()
	var last *image.RGBA
	lastIdx := -1
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-t.C:
		}
		if !p.playing.Load() {
			lastIdx = -1
			continue
		}
		gen := p.playGen.Load()
		f, ok := eng.LatestFrame()
		if !ok {
			continue
		}
		if f.Index == lastIdx && f.Image == last {
			f.Release()
			continue
		}
		last, lastIdx = f.Image, f.Index
		p.do(func() {
			if p.host.isClosed() || p.playGen.Load() != gen {
				f.Release()
				return
			}
			p.host.showFrame(f)
		})
	}
}

// events turns engine events into UI updates: the end of playback and
// failures outside a call. Positions are the ticker's job.
func (p *playerPane) events(eng reviewEngine) {
	defer p.wg.Done()
	ch := eng.Events()
	for {
		select {
		case <-p.ctx.Done():
			return
		case ev, ok := <-ch:
			if !ok {
				return
			}
			switch ev.Kind {
			case player.EventEnd:
				if !p.playing.CompareAndSwap(true, false) {
					continue
				}
				gen := p.playGen.Add(1)
				f, _ := eng.LatestFrame()
				p.do(func() {
					if p.host.isClosed() || p.playGen.Load() != gen {
						f.Release()
						return
					}
					p.host.setPlayingUI(false)
					if f.Image != nil {
						p.host.showFrame(f)
					}
				})
			case player.EventError:
				p.playing.Store(false)
				err := ev.Err
				p.log.Error(p.name+" playback", p.logArgs("error", err)...)
				p.do(func() { p.host.fail(err) })
			}
		}
	}
}

// transportButtons are the transport bar's buttons, in the bar's order:
// one frame back, one second back, play/pause, one second forward, one
// frame forward. Each acts on t, then calls refocus (the keys go back to
// the picture).
func transportButtons(t transport, refocus func()) (back1, backSec, play, fwdSec, fwd1 *widget.Button) {
	step := func(d int) func() { return func() { t.stepBy(d); refocus() } }
	back1 = widget.NewButtonWithIcon("", theme.MediaSkipPreviousIcon(), step(-1))
	fwd1 = widget.NewButtonWithIcon("", theme.MediaSkipNextIcon(), step(1))
	backSec = widget.NewButtonWithIcon("1 s", theme.MediaFastRewindIcon(), func() { t.seekRel(-time.Second); refocus() })
	fwdSec = widget.NewButtonWithIcon("1 s", theme.MediaFastForwardIcon(), func() { t.seekRel(time.Second); refocus() })
	fwdSec.IconPlacement = widget.ButtonIconTrailingText
	play = widget.NewButtonWithIcon("", theme.MediaPlayIcon(), func() { t.togglePlay(); refocus() })
	play.Importance = widget.HighImportance
	return back1, backSec, play, fwdSec, fwd1
}

// showPlayIcon shows pause on the play button while playing (playing),
// play otherwise.
func showPlayIcon(b *widget.Button, playing bool) {
	icon := theme.MediaPlayIcon()
	if playing {
		icon = theme.MediaPauseIcon()
	}
	if b.Icon != icon {
		b.SetIcon(icon)
	}
}

// The readout both screens show under the picture: frame, media time and
// the camera's clock (UI goroutine).

// showReadout shows frame n of frames in the readout labels; rec (may be
// nil) gives the camera's clock (none when its start is unknown).
func showReadout(frame, media, wall *widget.Label, frames []time.Duration, n int, rec *app.Recording) {
	frame.SetText(formatFrameReadout(n, len(frames)))
	media.SetText(app.FormatMediaTime(frames[n]))
	if rec != nil && !rec.RecordedAt.IsZero() {
		wall.SetText(formatWallClock(rec.RecordedAt.Add(frames[n])))
	} else {
		wall.SetText(formatWallClock(time.Time{}))
	}
}

// fixReadout sizes each readout label's box for its widest text,
// samples[i] (the labels are monospaced), so that the bar does not move
// as the numbers change.
func fixReadout(labels []*widget.Label, boxes []*fyne.Container, samples []string) {
	for i, lbl := range labels {
		probe := widget.NewLabelWithStyle(samples[i], lbl.Alignment, lbl.TextStyle)
		boxes[i].Layout = layout.NewGridWrapLayout(probe.MinSize())
		boxes[i].Refresh()
	}
}

// meanFrameInterval is the mean frame duration of frames (40 ms for
// fewer than two).
func meanFrameInterval(frames []time.Duration) time.Duration {
	n := len(frames)
	if n < 2 {
		return 40 * time.Millisecond
	}
	return max(time.Millisecond, (frames[n-1]-frames[0])/time.Duration(n-1))
}
