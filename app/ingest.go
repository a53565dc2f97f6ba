package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

// Ingest statuses reported per file.
const (
	Imported  = "imported"
	Duplicate = "duplicate"
	Rejected  = "rejected"
)

// IngestResult is the outcome for one source file. Its JSON form is what
// `exhibit ingest --json` prints, one object per line.
type IngestResult struct {
	File       string     `json:"file"`
	Status     string     `json:"status"`
	ID         string     `json:"id,omitempty"`
	SHA256     string     `json:"sha256,omitempty"`
	Frames     int        `json:"frames"`
	Duration   float64    `json:"duration"` // seconds
	FPS        float64    `json:"fps"`
	Width      int        `json:"width"`
	Height     int        `json:"height"`
	RecordedAt *time.Time `json:"recorded_at,omitempty"`
	Removed    bool       `json:"source_removed,omitempty"`
	// DeletedAs names the deleted recording whose footage this file is,
	// when it was refused for that.
	DeletedAs string `json:"deleted_as,omitempty"`
	Error     string `json:"error,omitempty"`
}

// IngestOptions controls Ingest.
type IngestOptions struct {
	// RemoveSource deletes each source (and its sidecar) once its stored copy
	// has been verified (dock mode). Rejected and duplicate files stay, except
	// that a verified duplicate is removed too: the store already holds it.
	RemoveSource bool
	// AllowDeleted lets in footage whose SHA-256 matches a deletion record
	// (audited). Without it such a file is rejected with the date and rule
	// of its deletion.
	AllowDeleted bool
	// Jobs is how many files are ingested at once (0: two, or one on a
	// single core). One file's pipeline waits mostly on the disk; a second
	// file fills the gaps (probe, final fsync, commit) and the other core.
	Jobs int
	// Progress, when not nil, is called as work advances, from the
	// goroutines doing the work (serialised: never two calls at once).
	Progress func(IngestProgress)
}

// IngestProgress reports how far an ingest is. Fractions run from 0 to 1.
type IngestProgress struct {
	File      string
	FileIndex int // 0-based index of File among FileCount
	FileCount int
	Stage     string  // probe, encrypt (read, hash, encrypt), frames, verify, done
	File01    float64 // progress within this file, by bytes read
	Overall01 float64 // progress over all files, by bytes
	// Running is how many files are being ingested at once; File is the
	// first of them in the batch's order.
	Running int
}

// Sidecar is the JSON file a dock writes beside a video (NAME.json).
type Sidecar struct {
	Officer      string     `json:"officer"`
	DeviceSerial string     `json:"device_serial"`
	RecordedAt   string     `json:"recorded_at"`
	GPS          *store.GPS `json:"gps,omitempty"`
}

// videoExtensions are names that promise a video: such a file that does not
// probe as one is rejected. Other files are probed too, but skipped quietly
// when they are not video (a dock holds logs and firmware as well).
var videoExtensions = map[string]bool{
	".mp4": true, ".mov": true, ".m4v": true, ".mkv": true, ".ts": true, ".mts": true, ".m2ts": true,
	".avi": true, ".3gp": true, ".webm": true, ".mpg": true, ".mpeg": true,
}

// IsVideoName reports whether a file name has an extension that promises a
// video (any case). The dock watcher and file chooser use it; ingest itself
// still probes every file.
func IsVideoName(name string) bool { return videoExtensions[strings.ToLower(filepath.Ext(name))] }

// VideoExtensions returns the extensions IsVideoName accepts, with the dot.
func VideoExtensions() []string {
	exts := make([]string, 0, len(videoExtensions))
	for e := range videoExtensions {
		exts = append(exts, e)
	}
	sort.Strings(exts)
	return exts
}

// sourceFile is a candidate found under the paths given to Ingest.
type sourceFile struct {
	path     string
	size     int64
	mtime    time.Time
	explicit bool // named directly, or has a video extension
	sidecar  string
}

// CollectSources walks paths (files and folders, recursively) and returns
// the candidate files in a stable order, with their sidecars. Hidden files
// and folders are skipped, as are sidecars themselves.
func collectSources(paths []string) ([]sourceFile, error) {
	var out []sourceFile
	seen := map[string]bool{}
	add := func(path string, info fs.FileInfo, explicit bool) {
		abs, err := filepath.Abs(path)
		if err != nil {
			abs = path
		}
		if seen[abs] {
			return
		}
		seen[abs] = true
		ext := strings.ToLower(filepath.Ext(path))
		if ext == ".json" && !explicit {
			return
		}
		out = append(out, sourceFile{path: path, size: info.Size(), mtime: info.ModTime(),
			explicit: explicit || videoExtensions[ext], sidecar: findSidecar(path)})
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("ingest %s: %w", p, err)
		}
		if !info.IsDir() {
			add(p, info, true)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("read %s: %w", path, err)
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			add(path, info, false)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

// findSidecar returns NAME.json (or NAME.EXT.json) beside path, any case.
func findSidecar(path string) string {
	base := strings.TrimSuffix(path, filepath.Ext(path))
	for _, c := range []string{base + ".json", base + ".JSON", path + ".json", path + ".JSON"} {
		if c == path {
			continue
		}
		if info, err := os.Stat(c); err == nil && info.Mode().IsRegular() {
			return c
		}
	}
	return ""
}

func readSidecar(path string) (*Sidecar, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var sc Sidecar
	if err := json.Unmarshal(b, &sc); err != nil {
		return nil, fmt.Errorf("sidecar %s is not valid JSON: %w", filepath.Base(path), err)
	}
	return &sc, nil
}

// Ingest imports the video files found under paths. It returns one result
// per candidate file, in the order of the files; the batch goes on past
// rejected files. Up to opt.Jobs files are ingested at once. The error is
// non-nil only when the whole batch could not go on (cancelled, store
// unwritable, ...); results then cover the files done so far.
func (l *Library) Ingest(ctx context.Context, paths []string, opt IngestOptions) ([]IngestResult, error) {
	if _, err := l.require(ctx, PermIngest, "ingest"); err != nil {
		return nil, err
	}
	srcs, err := collectSources(paths)
	if err != nil {
		return nil, err
	}
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = min(2, runtime.GOMAXPROCS(0))
	}
	jobs = max(1, min(jobs, len(srcs)))
	var total int64
	for _, s := range srcs {
		total += max(s.size, 1)
	}
	// Progress over the batch is by bytes: the files done plus each running
	// file's fraction of its own size. With files running at once, every
	// report names the first of them (with the batch's fraction moved by
	// whichever file advanced), so a per-file bar follows one file to its
	// end instead of flipping between files.
	type fileState struct {
		f     float64
		stage string
	}
	var (
		pmu     sync.Mutex
		done    int64
		running = map[int]fileState{}
		ended   = map[int]bool{}
	)
	reporter := func(i int, src sourceFile) func(string, float64) {
		return func(stage string, f float64) {
			if opt.Progress == nil {
				return
			}
			pmu.Lock()
			defer pmu.Unlock()
			if stage == "done" {
				delete(running, i)
				ended[i] = true
				done += max(src.size, 1)
			} else {
				running[i] = fileState{f, stage}
			}
			var sum float64
			first := -1
			for j, st := range running {
				sum += st.f * float64(max(srcs[j].size, 1))
				if first < 0 || j < first {
					first = j
				}
			}
			overall := 1.0
			if total > 0 {
				overall = min(1, (float64(done)+sum)/float64(total))
			}
			p := IngestProgress{File: src.path, FileIndex: i, FileCount: len(srcs), Stage: stage,
				File01: f, Overall01: overall, Running: max(1, len(running))}
			// A file that ends while it is the first says so itself; the
			// next report names the next file.
			if first >= 0 && first != i && (stage != "done" || first < i) {
				st := running[first]
				p.File, p.FileIndex, p.Stage, p.File01 = srcs[first].path, first, st.stage, st.f
			}
			opt.Progress(p)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		res  IngestResult
		skip bool
		err  error
		ok   bool
	}
	outs := make([]outcome, len(srcs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				report := reporter(i, srcs[i])
				res, skip, err := l.ingestOne(ctx, srcs[i], opt, report)
				report("done", 1)
				outs[i] = outcome{res, skip, err, true}
				if err != nil {
					cancel() // a fatal error stops the batch
				}
			}
		}()
	}
feed:
	for i := range srcs {
		select {
		case next <- i:
			// A file counts as running from the moment a worker takes
			// it, so a later file that reports first cannot be named
			// before it (reports name the first file still running).
			pmu.Lock()
			if _, ok := running[i]; !ok && !ended[i] && opt.Progress != nil {
				running[i] = fileState{0, "probe"}
			}
			pmu.Unlock()
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	var results []IngestResult
	var first error
	for _, o := range outs {
		if !o.ok {
			continue
		}
		if o.err != nil {
			if first == nil || (errors.Is(first, context.Canceled) && !errors.Is(o.err, context.Canceled)) {
				first = o.err
			}
			continue
		}
		if !o.skip {
			results = append(results, o.res)
		}
	}
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return results, first
}

// fatal errors stop a batch; everything else rejects one file.
func isFatal(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, media.ErrToolNotFound) || errors.Is(err, syscallNoSpace)
}

// DeletedFootageError is why footage that retention (or an administrator)
// deleted is not ingested again without IngestOptions.AllowDeleted.
type DeletedFootageError struct{ Deletion *Deletion }

func (e *DeletedFootageError) Error() string {
	return fmt.Sprintf("this footage was deleted on %s under %s (it was recording %s); ingest it again only with --allow-deleted",
		e.Deletion.DeletedAt.Local().Format("2 Jan 2006 15:04 MST"), deletionRule(e.Deletion), e.Deletion.RecordingID)
}

func deletionRule(d *Deletion) string {
	if d.Rule == "" {
		return "an unnamed rule"
	}
	return d.Rule
}

// tables is the frame table and thumbnail made from a source while its
// bytes are read, hashed and encrypted.
type tables struct {
	ft      *media.FrameTable
	decoded bool // read by decoding (the container has no packet times)
	err     error
	thumb   []byte
}

// readTables builds the frame table from the demuxer's packets (decoding
// only when packets carry no PTS) and the thumbnail, on two goroutines.
func readTables(ctx context.Context, path string, at time.Duration, log func(error)) <-chan tables {
	out := make(chan tables, 1)
	go func() {
		thumbc := make(chan []byte, 1)
		go func() {
			th, err := media.Thumbnail(ctx, path, at, 320)
			if err != nil && ctx.Err() == nil {
				log(err)
			}
			thumbc <- th
		}()
		var t tables
		t.ft, t.err = media.ReadPacketTable(ctx, path)
		if errors.Is(t.err, media.ErrNoPacketTimes) {
			t.ft, t.err = media.ReadFrameTable(ctx, path)
			t.decoded = true
		}
		t.thumb = <-thumbc
		out <- t
	}()
	return out
}

func (l *Library) ingestOne(ctx context.Context, src sourceFile, opt IngestOptions, report func(string, float64)) (res IngestResult, skip bool, err error) {
	res = IngestResult{File: src.path}
	reject := func(format string, a ...any) (IngestResult, bool, error) {
		res.Status = Rejected
		res.Error = fmt.Sprintf(format, a...)
		l.log.Info("ingest rejected", "reason", scrub(res.Error, src.path))
		return res, false, nil
	}
	if src.size == 0 {
		if !src.explicit {
			return res, true, nil
		}
		return reject("empty file")
	}
	report("probe", 0)
	pr, err := media.ProbeFile(ctx, src.path)
	if err == nil && isStillImage(pr) {
		err = fmt.Errorf("%w: a still image, not a video", media.ErrNotMedia)
	}
	if err != nil {
		if isFatal(ctx, err) {
			return res, false, err
		}
		if !src.explicit && errors.Is(err, media.ErrNotMedia) {
			return res, true, nil
		}
		if errors.Is(err, media.ErrNotMedia) {
			l.log.Info("ingest probe failed", "detail", scrub(reason(err, src.path), src.path))
			return reject("%s", notMediaWords(err))
		}
		return reject("%s", reason(err, src.path))
	}

	// A master can only be a duplicate of one of the same size, or footage
	// deleted before if a deleted one had its size: hash those first, which
	// is cheaper than encrypting them.
	var deleted *Deletion // footage deleted before, let in by AllowDeleted
	same, err := l.st.HasSize(ctx, src.size)
	if err != nil {
		return res, false, err
	}
	gone, err := l.st.HasDeletedSize(ctx, src.size)
	if err != nil {
		return res, false, err
	}
	if same || gone {
		sum, err := hashFile(ctx, src.path)
		if err != nil {
			if isFatal(ctx, err) {
				return res, false, err
			}
			return reject("read: %s", oneLine(err))
		}
		if id, err := l.st.HasSHA256(ctx, sum); err != nil {
			return res, false, err
		} else if id != "" {
			return l.duplicate(ctx, res, id, src, opt)
		}
		if deleted, err = l.refuseDeleted(ctx, sum, opt); err != nil {
			return l.refused(res, err)
		}
	}

	// The frame table (from packets) and the thumbnail are read beside the
	// pass that hashes and encrypts: ffprobe reads the container's index,
	// or the file again from the page cache; neither decodes every frame.
	tctx, stopTables := context.WithCancel(ctx)
	defer stopTables()
	tablesc := readTables(tctx, src.path, thumbnailTime(pr.Duration), func(err error) {
		l.log.Warn("no thumbnail", "error", scrub(err.Error(), src.path))
	})

	f, err := os.Open(src.path)
	if err != nil {
		return reject("open: %s", oneLine(err))
	}
	defer func() { _ = f.Close() }() // opened for reading: nothing to lose
	// The bar moves with the bytes read, hashed and encrypted; the rest
	// (waiting for the frame table, comparing the check, commit) is short.
	const readShare = 0.96
	p, err := l.st.WriteMaster(ctx, f, func(n int64) {
		report("encrypt", readShare*(float64(n)/float64(max(src.size, 1))))
	})
	if err != nil {
		if isFatal(ctx, err) {
			return res, false, err
		}
		return reject("store: %s", oneLine(err))
	}
	defer func() { _ = p.Discard() }() // a no-op once committed; on failure the ingest's error is returned and a leftover is removed at the next open
	report("frames", readShare)
	tb := <-tablesc
	if tb.err != nil {
		if isFatal(ctx, tb.err) {
			return res, false, tb.err
		}
		return reject("frame table: %s", reason(tb.err, src.path))
	}
	ft := tb.ft
	ftBytes, err := ft.MarshalBinary()
	if err != nil {
		return reject("frame table: %s", oneLine(err))
	}
	if p.Size() != src.size {
		return reject("the file changed while it was read (%d bytes, then %d): is it still being copied?", src.size, p.Size())
	}
	if deleted == nil {
		// The hash is known only now: footage deleted before is refused
		// here, before any row refers to it (the pending file goes).
		if deleted, err = l.refuseDeleted(ctx, p.SHA256(), opt); err != nil {
			return l.refused(res, err)
		}
	}
	report("verify", 0.98)
	if err := p.Verify(ctx, nil); err != nil {
		if isFatal(ctx, err) {
			return res, false, err
		}
		return reject("verify stored copy: %s", oneLine(err))
	}

	rec := &store.Recording{
		IngestedAt: time.Now().UTC(),
		Duration:   pr.Duration,
		Frames:     ft.Len(),
		Width:      pr.Width, Height: pr.Height,
		FPSNum: pr.FrameRate.Num, FPSDen: pr.FrameRate.Den,
		Container: pr.Container, VideoCodec: pr.VideoCodec, AudioCodec: pr.AudioCodec,
		Personal:   store.Personal{SourceName: filepath.Base(src.path)},
		FrameCheck: store.FramesPending,
	}
	if tb.decoded {
		rec.FrameCheck = store.FramesChecked
	}
	if rec.Duration <= 0 {
		rec.Duration = time.Duration(ft.Duration() * float64(time.Second))
	}
	if err := fillMetadata(rec, pr, src); err != nil {
		return reject("%s", oneLine(err))
	}
	e := l.entry("ingest")
	from := "packets"
	if tb.decoded {
		from = "decoded"
	}
	e.Detail = fmt.Sprintf("%d bytes, %d frames (%s), recorded %s (%s)", p.Size(), rec.Frames, from,
		rec.RecordedAt.Format(time.RFC3339), rec.RecordedAtSource)
	if deleted != nil {
		e.Detail += fmt.Sprintf("; footage deleted on %s as %s, ingested again (allow deleted)",
			deleted.DeletedAt.UTC().Format(time.RFC3339), deleted.RecordingID)
	}
	if err := l.st.Commit(ctx, p, rec, ftBytes, tb.thumb, e); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			id, _ := l.st.HasSHA256(ctx, p.SHA256())
			return l.duplicate(ctx, res, id, src, opt)
		}
		return res, false, fmt.Errorf("ingest %s: %w", src.path, err)
	}
	l.log.Info("ingested", "id", rec.ID, "sha256", rec.SHA256, "frames", rec.Frames, "frame_check", rec.FrameCheck)
	if rec.FrameCheck == store.FramesPending {
		l.wakeFrameChecks()
	}
	fillResult(&res, rec)
	res.Status = Imported
	if opt.RemoveSource {
		res.Removed = removeSource(src, l)
	}
	return res, false, nil
}

// refuseDeleted looks the hash up among the deletion records. Footage
// deleted before gives a *DeletedFootageError (audited as denied) unless
// opt.AllowDeleted, when it returns the deletion record for the ingest's
// audit entry.
func (l *Library) refuseDeleted(ctx context.Context, sum string, opt IngestOptions) (*Deletion, error) {
	d, err := l.st.DeletionOfSHA256(ctx, sum)
	if err != nil || d == nil {
		return nil, err
	}
	if opt.AllowDeleted {
		return d, nil
	}
	e := l.entry("ingest")
	e.SHA256, e.Outcome = sum, store.OutcomeDenied
	e.Detail = fmt.Sprintf("footage deleted on %s as %s; not ingested again", d.DeletedAt.UTC().Format(time.RFC3339), d.RecordingID)
	if err := l.st.Audit(ctx, e); err != nil {
		return nil, err
	}
	return nil, &DeletedFootageError{Deletion: d}
}

// refused is the result for a file refused by refuseDeleted (or the error
// that stopped the check).
func (l *Library) refused(res IngestResult, err error) (IngestResult, bool, error) {
	var de *DeletedFootageError
	if !errors.As(err, &de) {
		return res, false, err
	}
	res.Status = Rejected
	res.Error = de.Error()
	res.SHA256 = de.Deletion.SHA256
	res.DeletedAs = de.Deletion.RecordingID
	l.log.Info("ingest refused: footage deleted before", "deleted_as", de.Deletion.RecordingID)
	return res, false, nil
}

func (l *Library) duplicate(ctx context.Context, res IngestResult, id string, src sourceFile, opt IngestOptions) (IngestResult, bool, error) {
	rec, err := l.st.Get(ctx, id)
	if err != nil {
		return res, false, err
	}
	fillResult(&res, rec)
	res.Status = Duplicate
	res.Error = "already in the store as " + id
	if opt.RemoveSource {
		// The stored copy of these exact bytes exists; check it before
		// letting the dock forget them.
		if err := l.st.VerifyMaster(ctx, id, nil); err == nil {
			res.Removed = removeSource(src, l)
		} else {
			res.Error += "; source kept: stored copy failed verification"
		}
	}
	return res, false, nil
}

func removeSource(src sourceFile, l *Library) bool {
	if err := os.Remove(src.path); err != nil {
		l.log.Warn("remove source", "error", scrub(err.Error(), src.path))
		return false
	}
	if src.sidecar != "" {
		if err := os.Remove(src.sidecar); err != nil {
			l.log.Warn("remove sidecar", "error", scrub(err.Error(), src.sidecar))
		}
	}
	return true
}

func fillResult(res *IngestResult, rec *store.Recording) {
	res.ID, res.SHA256, res.Frames = rec.ID, rec.SHA256, rec.Frames
	res.Duration = rec.Duration.Seconds()
	res.FPS = rec.FPS()
	res.Width, res.Height = rec.Width, rec.Height
	t := rec.RecordedAt
	res.RecordedAt = &t
}

// fillMetadata sets who, what and when: the sidecar first, then container
// tags, and last the file's modification time.
func fillMetadata(rec *store.Recording, pr *media.Probe, src sourceFile) error {
	if src.sidecar != "" {
		sc, err := readSidecar(src.sidecar)
		if err != nil {
			return err
		}
		rec.Personal.Officer, rec.Personal.DeviceSerial, rec.Personal.GPS = sc.Officer, sc.DeviceSerial, sc.GPS
		if sc.RecordedAt != "" {
			t, err := time.Parse(time.RFC3339Nano, sc.RecordedAt)
			if err != nil {
				return fmt.Errorf("sidecar %s: recorded_at %q is not an RFC 3339 time", filepath.Base(src.sidecar), sc.RecordedAt)
			}
			rec.RecordedAt, rec.RecordedAtSource = t.UTC(), "sidecar"
		}
	}
	tag := func(keys ...string) string {
		for _, k := range keys {
			if v := strings.TrimSpace(pr.Tags[k]); v != "" {
				return v
			}
		}
		return ""
	}
	if rec.Personal.DeviceSerial == "" {
		rec.Personal.DeviceSerial = tag("serial", "serial_number", "com.apple.quicktime.serial", "device_serial")
	}
	if rec.Personal.Officer == "" {
		rec.Personal.Officer = tag("officer", "artist", "author")
	}
	rec.Personal.Make = tag("make", "com.apple.quicktime.make", "com.android.manufacturer")
	rec.Personal.Model = tag("model", "com.apple.quicktime.model", "com.android.model")
	if rec.RecordedAtSource == "" && !pr.CreationTime.IsZero() {
		rec.RecordedAt, rec.RecordedAtSource = pr.CreationTime.UTC(), "container"
	}
	if rec.RecordedAtSource == "" {
		rec.RecordedAt, rec.RecordedAtSource = src.mtime.UTC(), "mtime"
	}
	return nil
}

func isStillImage(pr *media.Probe) bool {
	f := pr.FormatName
	return strings.Contains(f, "image2") || strings.HasSuffix(f, "_pipe") || f == "gif" || f == "apng"
}

func thumbnailTime(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return min(time.Second, d/2)
}

func hashFile(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }() // opened for reading: nothing to lose
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		if err != nil {
			return "", err
		}
	}
}

// notMediaWords says why a file that is not playable video was refused,
// in words rather than the tool's: an MP4 without its index ("moov atom
// not found", a copy or recording that stopped before the camera finished
// it) is cut short; a still image says so; anything else is not a
// playable video file. The tool's detail goes to the log.
func notMediaWords(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "moov atom not found"):
		return "the file is cut short or not a finished recording"
	case strings.Contains(msg, "a still image, not a video"):
		return "a still image, not a video"
	}
	return "not a playable video file"
}

// reason is a rejection reason without the file name the line already shows.
func reason(err error, path string) string {
	s := oneLine(err)
	s = strings.ReplaceAll(s, "probe "+path+": ", "")
	s = strings.ReplaceAll(s, path+": ", "")
	return s
}

// scrub takes a source's path and name out of a message for the log: file
// names on a dock carry device serials and times, which are personal data.
func scrub(msg, path string) string {
	if path == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, path, "<source>")
	if base := filepath.Base(path); len(base) > 3 {
		msg = strings.ReplaceAll(msg, base, "<source>")
	}
	return msg
}

// oneLine keeps the first line of an error message: rejections are listed
// one per file.
func oneLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
