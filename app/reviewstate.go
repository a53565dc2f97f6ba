package app

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

// PictureAdjust is a display-only picture adjustment for dark footage:
// it changes what the screen shows, never the master. The zero value
// changes nothing.
type PictureAdjust struct {
	// Brightness adds -100..100 (per cent of full scale / 2).
	Brightness float64
	// Contrast scales about mid-grey: -100..100 per cent.
	Contrast float64
	// Gamma lifts (> 1) or deepens (< 1) the shadows: out = in^(1/Gamma);
	// 0 means 1.
	Gamma float64
}

// Neutral reports whether a changes nothing.
func (a PictureAdjust) Neutral() bool {
	return a.Brightness == 0 && a.Contrast == 0 && (a.Gamma == 0 || a.Gamma == 1)
}

// String describes a in words, for captions, text chunks and the audit.
func (a PictureAdjust) String() string {
	g := a.Gamma
	if g == 0 {
		g = 1
	}
	return fmt.Sprintf("brightness %+.0f, contrast %+.0f, gamma %.2f", a.Brightness, a.Contrast, g)
}

// LUT returns the 8-bit lookup table of a: brightness, then contrast,
// then gamma, applied to R, G and B alike.
func (a PictureAdjust) LUT() [256]uint8 {
	var t [256]uint8
	g := a.Gamma
	if g <= 0 {
		g = 1
	}
	c := 1 + a.Contrast/100
	for i := range t {
		v := float64(i)/255 + a.Brightness/200
		v = (v-0.5)*c + 0.5
		v = max(0, min(1, v))
		v = math.Pow(v, 1/g)
		t[i] = uint8(math.Round(v * 255))
	}
	return t
}

// ApplyTo writes src adjusted by a into dst (same bounds; dst may be src).
// Alpha is kept.
func (a PictureAdjust) ApplyTo(dst, src *image.RGBA) {
	t := a.LUT()
	w := 4 * src.Rect.Dx()
	for y := 0; y < src.Rect.Dy(); y++ {
		s := src.Pix[y*src.Stride : y*src.Stride+w]
		d := dst.Pix[y*dst.Stride : y*dst.Stride+w]
		for i := 0; i < w; i += 4 {
			d[i], d[i+1], d[i+2], d[i+3] = t[s[i]], t[s[i+1]], t[s[i+2]], s[i+3]
		}
	}
}

// Apply returns a new picture: src adjusted by a.
func (a PictureAdjust) Apply(src *image.RGBA) *image.RGBA {
	dst := image.NewRGBA(src.Rect)
	a.ApplyTo(dst, src)
	return dst
}

const stillFolderPref = "still_folder"

// StillFolder returns the folder the signed-in user saves review stills
// to ("" when they have not chosen one).
func (l *Library) StillFolder(ctx context.Context) (string, error) {
	who, ok := l.Who()
	if !ok {
		return "", ErrNotSignedIn
	}
	return l.st.UserPref(ctx, who.Name, stillFolderPref)
}

// SetStillFolder remembers dir (an existing folder) as where the signed-in
// user saves review stills. It is a preference, not audited.
func (l *Library) SetStillFolder(ctx context.Context, dir string) error {
	who, ok := l.Who()
	if !ok {
		return ErrNotSignedIn
	}
	if dir != "" {
		fi, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("folder for stills: %w", err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("folder for stills: %s is not a folder", dir)
		}
	}
	return l.st.SetUserPref(ctx, who.Name, stillFolderPref, dir)
}

// SaveStill renders the still req (see RenderStill; audited there) and
// writes it crash-safely into dir as RECORDING_frameN.png (with
// "_adjusted" when req.Adjust changes the picture, and a number when the
// name is taken). It returns the path written.
func (l *Library) SaveStill(ctx context.Context, req StillRequest, dir string) (string, *Still, error) {
	if dir == "" {
		return "", nil, errors.New("choose a folder for stills first")
	}
	st, err := l.RenderStill(ctx, req)
	if err != nil {
		return "", nil, err
	}
	base := fmt.Sprintf("%s_frame%d", st.ID, st.Frame)
	if !req.Adjust.Neutral() {
		base += "_adjusted"
	}
	path := filepath.Join(dir, base+".png")
	for i := 2; ; i++ {
		if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
			break
		}
		path = filepath.Join(dir, fmt.Sprintf("%s_%d.png", base, i))
	}
	if err := store.WriteFileAtomic(path, st.PNG, 0o600); err != nil {
		return "", nil, fmt.Errorf("save the still of recording %s, frame %d: %w", st.ID, st.Frame, err)
	}
	return path, st, nil
}

// ResumePosition returns the frame where the signed-in user left
// recording id (ok false when none, or at the first frame). Positions are
// per user and not evidence: not audited.
func (l *Library) ResumePosition(ctx context.Context, id string) (frame int, ok bool, err error) {
	full, err := l.resolve(ctx, id, "view.start")
	if err != nil {
		return 0, false, err
	}
	who, _ := l.Who()
	frame, ok, err = l.st.ResumePosition(ctx, who.Name, full)
	return frame, ok && frame > 0, err
}

// SaveResumePosition remembers frame as where the signed-in user left
// recording id (frame <= 0 forgets it).
func (l *Library) SaveResumePosition(ctx context.Context, id string, frame int) error {
	full, err := l.resolve(ctx, id, "view.stop")
	if err != nil {
		return err
	}
	who, _ := l.Who()
	if frame <= 0 {
		frame = -1
	}
	return l.st.SetResumePosition(ctx, who.Name, full, frame)
}

// Waveform is a recording's audio drawn as levels: Levels[i] is the peak
// of the audio from i*Bucket to (i+1)*Bucket of media time, 0 (-60 dB
// or quieter) to 255 (full scale).
type Waveform struct {
	Bucket time.Duration
	Levels []byte
}

// ErrNoAudio reports a recording without sound.
var ErrNoAudio = media.ErrNoAudio

// Waveform returns the audio levels of recording id, decoding the master
// once (over the loopback URL; audited as "waveform") and caching the
// result sealed in the database; later calls read the cache. A recording
// without sound gives ErrNoAudio.
func (l *Library) Waveform(ctx context.Context, id string) (*Waveform, error) {
	full, err := l.resolve(ctx, id, "waveform")
	if err != nil {
		return nil, err
	}
	if b, err := l.st.Waveform(ctx, full); err != nil {
		return nil, err
	} else if w, ok := unmarshalWaveform(b); ok {
		if len(w.Levels) == 0 {
			return nil, fmt.Errorf("recording %s: %w", full, ErrNoAudio)
		}
		return w, nil
	}
	rec, err := l.st.Get(ctx, full)
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", full, err)
	}
	m, err := l.st.OpenMaster(ctx, full)
	if err != nil {
		return nil, fmt.Errorf("open the master of recording %s: %w", full, err)
	}
	defer func() { _ = m.Close() }() // opened for reading: nothing to lose
	url, stop, err := ServeReaderAt(m, m.Size(), "")
	if err != nil {
		return nil, err
	}
	levels, err := media.Waveform(ctx, url)
	stop()
	noAudio := errors.Is(err, media.ErrNoAudio)
	if err != nil && !noAudio {
		return nil, fmt.Errorf("waveform of recording %s: %w", full, err)
	}
	w := &Waveform{Bucket: media.WaveformBucket, Levels: levels}
	e := l.entry("waveform")
	e.RecordingID, e.SHA256 = rec.ID, rec.SHA256
	e.Detail = "audio levels decoded for display"
	if err := l.st.Audit(ctx, e); err != nil {
		return nil, fmt.Errorf("waveform of recording %s: audit: %w", full, err)
	}
	if err := l.st.PutWaveform(ctx, full, w.marshal()); err != nil {
		return nil, err
	}
	if noAudio {
		return nil, fmt.Errorf("recording %s: %w", full, ErrNoAudio)
	}
	return w, nil
}

// Stored waveform: version 1, bucket in microseconds (uint32 BE), levels.
// No levels means the recording has no sound (cached too).
func (w *Waveform) marshal() []byte {
	b := []byte{1}
	b = binary.BigEndian.AppendUint32(b, uint32(w.Bucket/time.Microsecond))
	return append(b, w.Levels...)
}

func unmarshalWaveform(b []byte) (*Waveform, bool) {
	if len(b) < 5 || b[0] != 1 {
		return nil, false
	}
	us := binary.BigEndian.Uint32(b[1:5])
	if us == 0 {
		return nil, false
	}
	return &Waveform{Bucket: time.Duration(us) * time.Microsecond, Levels: append([]byte(nil), b[5:]...)}, true
}
