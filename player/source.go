package player

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"time"
)

// Source describes the media an Engine plays and its frame table. Exactly one
// of Reader or Path is set.
type Source struct {
	// Name identifies the media in errors and logs (not a path to open).
	Name string
	// Reader serves the media bytes on demand, e.g. the vault's seekable
	// decryptor; the bytes never reach the disk. Size must be set with it.
	// ReadAt may be called from libmpv's threads, concurrently with itself.
	Reader io.ReaderAt
	// Path is a plain file to play (tests, court bundles).
	Path string
	// Size is the length of Reader's content in bytes.
	Size int64
	// Frames is the frame table: the presentation time of every frame in
	// presentation order, relative to frame 0 (so Frames[0] == 0). Frame
	// numbers used by the Engine are indexes into it (ffmpeg's
	// select=eq(n\,N) numbering); the Engine never estimates them.
	Frames []time.Duration
	// Keyframes optionally marks the frames that start a GOP (same length as
	// Frames). With it, stepping back into an uncached region decodes from the
	// right keyframe; without it the Engine decodes a fixed window.
	Keyframes []bool
	// FramePTSOffset is frame 0's timestamp in the container timeline (for
	// example ffprobe's pts_time of the first frame; about 1.4 s in MPEG-TS
	// written by ffmpeg). mpv runs with rebase-start-time=no, so its time-pos
	// of frame n is FramePTSOffset + Frames[n].
	FramePTSOffset time.Duration
	// RecordedAt is the wall-clock time of frame 0.
	RecordedAt time.Time
}

// Options tunes an Engine. The zero value is usable.
type Options struct {
	// Width and Height of rendered frames; 0 takes the video's display size
	// (one of them 0 keeps the aspect ratio). The picture is scaled to fit
	// and letterboxed if the aspect ratio differs.
	Width, Height int
	// AudioOutput is mpv's ao list; "" means DefaultAudioOutput, which ends
	// in "null" so a machine without sound still plays video.
	AudioOutput string
	// CacheBytes bounds the decoded-frame cache (RGBA frames kept around the
	// current position for instant backward stepping). 0 means
	// DefaultCacheBytes; negative disables the cache.
	CacheBytes int64
	// DemuxerBytes bounds mpv's compressed-packet cache in each direction.
	// 0 means 64 MiB.
	DemuxerBytes int64
	// Timeout bounds how long one operation waits for libmpv. 0 means 10 s.
	Timeout time.Duration
	// NoPrefetch turns off background decoding of the GOP before the
	// cached frames (a hidden second libmpv instance, see the package
	// doc), e.g. for an engine that only seeks, such as hover previews.
	NoPrefetch bool
	// LogLevel is the libmpv message level forwarded to slog ("no",
	// "error", "warn", "info", "v", ...); "" means "warn".
	LogLevel string

	extra [][2]string // more libmpv options (tests and benchmarks)

	// The prefetcher's hidden Engine: no prefetcher of its own, frames
	// into the main Engine's cache (shared), which its Close leaves alone.
	hidden bool
	shared *frameCache
}

// DefaultAudioOutput is used when Options.AudioOutput is empty.
const DefaultAudioOutput = "pulse,pipewire,alsa,null"

// DefaultCacheBytes is used when Options.CacheBytes is 0.
const DefaultCacheBytes = 512 << 20

// Errors callers branch on. Errors returned by the Engine wrap one of these
// where it applies.
var (
	// ErrClosed is returned by operations on a closed Engine.
	ErrClosed = errors.New("player: engine closed")
	// ErrInvalidSource means the Source (or its frame table) is unusable.
	ErrInvalidSource = errors.New("player: invalid source")
	// ErrSourceRead means reading the media failed (I/O error, or a vault
	// whose authentication failed: a tampered or truncated master). It is
	// sticky: every later operation fails with it too.
	ErrSourceRead = errors.New("player: cannot read media")
	// ErrPlayback means libmpv could not open or decode the media.
	ErrPlayback = errors.New("player: playback failed")
	// ErrTimeout means libmpv did not answer within Options.Timeout.
	ErrTimeout = errors.New("player: timed out waiting for libmpv")
	// ErrNoWallClock is returned by SeekWallClock when Source.RecordedAt is
	// zero.
	ErrNoWallClock = errors.New("player: source has no recording time")
)

// timeline maps between frame numbers and mpv's time-pos.
type timeline struct {
	frames []time.Duration
	keys   []bool
	offset time.Duration
	tol    time.Duration // half the smallest frame interval
	last   time.Duration // duration of the last frame
	maxGap time.Duration // largest frame interval
}

func newTimeline(src Source) (*timeline, error) {
	n := len(src.Frames)
	if n == 0 {
		return nil, fmt.Errorf("%w: %s: empty frame table", ErrInvalidSource, src.Name)
	}
	if src.Frames[0] != 0 {
		return nil, fmt.Errorf("%w: %s: frame 0 at %v, want 0 (put the offset in FramePTSOffset)",
			ErrInvalidSource, src.Name, src.Frames[0])
	}
	if src.Keyframes != nil && len(src.Keyframes) != n {
		return nil, fmt.Errorf("%w: %s: %d keyframe flags for %d frames", ErrInvalidSource, src.Name, len(src.Keyframes), n)
	}
	tl := &timeline{frames: src.Frames, keys: src.Keyframes, offset: src.FramePTSOffset, tol: time.Duration(math.MaxInt64)}
	for i := 1; i < n; i++ {
		d := src.Frames[i] - src.Frames[i-1]
		if d <= 0 {
			return nil, fmt.Errorf("%w: %s: frame %d at %v not after frame %d at %v",
				ErrInvalidSource, src.Name, i, src.Frames[i], i-1, src.Frames[i-1])
		}
		tl.tol = min(tl.tol, d/2)
		tl.maxGap = max(tl.maxGap, d)
	}
	if n == 1 {
		tl.tol = 20 * time.Millisecond
		tl.last = 40 * time.Millisecond
		tl.maxGap = tl.last
	} else {
		tl.last = src.Frames[n-1] - src.Frames[n-2]
	}
	return tl, nil
}

func (tl *timeline) count() int { return len(tl.frames) }

// mpvSeconds is frame n's time-pos in mpv.
func (tl *timeline) mpvSeconds(n int) float64 {
	return (tl.offset + tl.frames[n]).Seconds()
}

// frameAtMPV maps an mpv time-pos to a frame: the nearest frame start within
// the tolerance, else the frame whose display interval holds it.
func (tl *timeline) frameAtMPV(pos float64) int {
	d := time.Duration(math.Round(pos*1e9)) - tl.offset
	i := tl.frameAt(d + tl.tol)
	return i
}

// frameAt returns the frame whose display interval [Frames[i], Frames[i+1])
// holds d, clamped to the table.
func (tl *timeline) frameAt(d time.Duration) int {
	i := sort.Search(len(tl.frames), func(i int) bool { return tl.frames[i] > d })
	return max(i-1, 0)
}

// matches reports whether an mpv time-pos is frame n's start.
func (tl *timeline) matches(pos float64, n int) bool {
	d := time.Duration(math.Round(pos*1e9)) - tl.offset - tl.frames[n]
	return d >= -tl.tol && d <= tl.tol
}

// keyframeAtOrBefore returns the GOP start for frame n, or -1 if unknown.
func (tl *timeline) keyframeAtOrBefore(n int) int {
	if tl.keys == nil {
		return -1
	}
	for i := n; i >= 0; i-- {
		if tl.keys[i] {
			return i
		}
	}
	return 0
}

// demuxLead is how many seconds before frame n libmpv's demuxer should
// start when an exact seek to n missed: the middle of the GOP before n's, so
// that a demuxer landing on a packet that is not a key frame (libavformat's
// MPEG-TS seek) still meets n's key frame next, without decoding the
// previous GOP. In the first GOP it is before the start; without key frame
// information it is fallbackLead before n's time.
func (tl *timeline) demuxLead(n int) float64 {
	k := tl.keyframeAtOrBefore(n)
	switch {
	case k < 0:
		return fallbackLead.Seconds()
	case k == 0:
		return (tl.frames[n] + time.Second).Seconds()
	}
	kp := tl.keyframeAtOrBefore(k - 1)
	return (tl.frames[n] - (tl.frames[kp]+tl.frames[k])/2).Seconds()
}

// fallbackLead is demuxLead without key frame information (longer than
// the GOPs of camera footage).
const fallbackLead = 3 * time.Second

// duration is the media length covered by the frame table.
func (tl *timeline) duration() time.Duration {
	return tl.frames[len(tl.frames)-1] + tl.last
}
