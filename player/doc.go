// Package player is Exhibit's frame-exact video engine: libmpv decoding,
// software rendering into RGBA buffers, frame stepping with a decoded-frame
// cache, and a stream protocol that plays encrypted masters from an
// io.ReaderAt without writing a decrypted copy anywhere.
//
// It knows nothing of Fyne or of other Exhibit packages: callers pass a
// Source (media plus its frame table, which app/media builds with ffprobe)
// and draw the *image.RGBA frames they get back.
//
// # Frame numbers
//
// Frame numbers are indexes into Source.Frames, 0-based in presentation
// order (ffmpeg's select=eq(n\,N)). The engine never estimates them from a
// frame rate. It seeks libmpv exactly (hr-seek, absolute+exact) to
// FramePTSOffset+Frames[n] and checks the landed time-pos against the table
// (nearest frame start within half the smallest frame interval). libmpv runs
// with rebase-start-time=no, so its timeline is the container's: with mpv's
// default (rebase on), time-pos would be shifted by the container's start
// time (the earliest stream's first timestamp, e.g. 1.4 s in ffmpeg's
// MPEG-TS), which is not frame 0's timestamp when audio starts first.
//
// Every picture libmpv hands over is labelled by counting from the last
// exactly known position (after a seek, the picture libmpv shows when that
// seek's playback-restart arrives). Seek, Step and Pause results are exact;
// frames during playback are labelled by the same count and re-checked
// against time-pos when playback stops.
//
// # Exact seeks
//
// A playback-restart event alone does not say that a seek showed its
// target. libmpv sends it for the latest seek it executed, also for its own
// seeks (with keep-open, an exact seek that runs into the end of the file
// is followed by a seek to the last frame and a second playback-restart),
// and also when video ended without a new frame: its VO then keeps the
// previous picture and time-pos reports the seek target itself (libmpv
// falls back to the last seek's time until a frame is shown). Both happen
// with MPEG-TS outside the demuxer cache, where libavformat's seek lands on
// packets that are not key frames and libmpv skips to the next key frame: a
// GOP late, or past the last one. A seek result is therefore taken only
// when:
//
//   - the playback-restart ends a seek that libmpv executed after the seek
//     command: the command runs asynchronously (mpv_command_async), its
//     reply marks the command's place in the event stream, seek events
//     (MPV_EVENT_SEEK, one per executed seek) are counted, and a restart
//     counts only if a seek event arrived between the reply and it, and
//     libmpv's "seeking" is false after it;
//   - the renderer received a new video frame since the command was issued
//     (libmpv sends playback-restart after a seek only once the first frame
//     after it was rendered, so that frame is the current one);
//   - time-pos is the target frame's time.
//
// A seek that misses is repeated once with hr-seek-demuxer-offset reaching
// into the middle of the previous GOP (libmpv's demuxer then meets the
// target's key frame first); SeekFrame then tries the GOP's key frame and
// frame-steps. What still misses is an error, never a relabelled picture.
//
// # Stepping and the cache
//
// Forward steps use libmpv's frame-step with audio deselected and
// untimed=yes while paused (with audio selected, libmpv paces each step by
// the audio clock, about one frame duration). Backward steps are served
// from a cache of rendered frames (Options.CacheBytes, LRU). Stepping back
// into frames not cached seeks exactly to the GOP start (Source.Keyframes,
// or a fixed window without it) and frame-steps forward to the target,
// drawing and caching the frames on the way, so the following back steps
// cost nothing. Frames served from the cache do not move libmpv; it is
// brought to the shown frame (one exact seek) before anything that needs it,
// such as Play.
//
// Counting breaks when libmpv's VO drops a frame: with framedrop=no it does
// so only when a frame handed to the render API is not rendered within
// 200 ms (vo_libmpv stops waiting and makes it the current frame, as when
// the render goroutine is starved under load). The renderer never sees that
// frame, so every frame counted after it is labelled one too low. The
// engine reads frame-drop-count around frame-stepping and playback: a step
// that saw a drop forgets (and uncaches) the frames it labelled, pauses
// libmpv (pending frame steps keep it running) and seeks exactly instead;
// Pause after playback with a drop seeks exactly. Pause after playback
// always empties the frame cache, since a drop is not always seen by then:
// frames labelled by counting are never served to a back step.
//
// # Threading
//
//   - One goroutine (the event loop) owns mpv_wait_event. Close wakes it with
//     mpv_wakeup; it then tears down: it stops the render goroutine and calls
//     mpv_terminate_destroy itself, so no call can be blocked in
//     mpv_wait_event on a destroyed handle.
//   - One goroutine (the renderer) owns the render context: it creates it,
//     and is the only caller of mpv_render_context_update, _render and _free.
//   - libmpv's C callbacks only signal: the render update callback does a
//     non-blocking send on a channel; the stream callbacks serve reads from
//     Source.Reader and record a read error, then signal. None calls libmpv.
//   - Navigation (Seek*, Step, Play, Pause) is serialised by a mutex and
//     waits for libmpv's events (for seeks, see Exact seeks: the event loop
//     counts seek and playback-restart events and records async command
//     replies); property setters call libmpv directly
//     (the client API is thread-safe). Every libmpv call outside the two
//     goroutines holds a read lock that teardown takes for writing, so none
//     runs on a destroyed handle.
//   - Shared state is under mutexes or atomics; the package is tested with
//     the race detector.
//   - Events are coalesced: position events replace each other, and the
//     producer never blocks; a slow reader of Events only misses
//     intermediate positions.
//
// Close never hangs: waiting calls return ErrClosed at once, and Close
// itself returns after at most min(Options.Timeout, 5 s) even if libmpv is
// stuck in a Source.Reader that does not return (teardown then finishes in
// the background when it does).
//
// # libmpv binding
//
// github.com/gen2brain/go-mpv v0.2.3 provides the client API (v0.4.0 does
// not build against libmpv 0.35). Its Mpv holds only the raw mpv_handle,
// which rawHandle reads with unsafe for the render and stream_cb APIs in
// cmpv.c; TestRawHandleLayout fails if go-mpv's layout changes. Commands go
// through a local helper because go-mpv's Command leaks its C strings, and
// property events are decoded locally because go-mpv reads flags as 8-byte
// ints.
package player
