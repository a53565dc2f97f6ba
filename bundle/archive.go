package bundle

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A bundle is read either from its folder or, unextracted, from its .zip
// (IsZip). Reading a zip writes nothing anywhere: entries are read from
// the zip file in place. A stored (uncompressed) entry is a contiguous
// byte range of the zip, so it can be served as an io.ReaderAt section and
// handed to ffmpeg/ffprobe as `subfile,,start,N,end,M,,:file:ZIP`; a
// deflated entry can only be read as a stream (hashing it, piping it to
// ffmpeg), never played from the zip (ErrCompressed).

// ErrCompressed is returned by Archive.Stored for an entry that is
// compressed inside the zip: it cannot be served as a byte range.
var ErrCompressed = errors.New("compressed inside the .zip (exhibit export --zip stores clips and masters uncompressed): unzip the bundle and open the folder to play it")

// IsZip reports whether path names a bundle .zip (by its extension).
func IsZip(path string) bool { return strings.EqualFold(filepath.Ext(path), ".zip") }

// Archive is a bundle .zip opened read only. The bundle's files are its
// entries under one top folder (as `exhibit export --zip` writes them:
// NAME/manifest.json, ...) or at the top. Entries that could escape a
// folder if extracted (".." or absolute names, backslashes), symlinks,
// duplicate names and entries outside the bundle's folder are refused:
// they are not served and Problems names them.
type Archive struct {
	path    string // absolute
	f       *os.File
	prefix  string // the top folder with its slash, or ""
	files   map[string]*zip.File
	refused []Problem
}

// OpenZip opens the bundle zip at path read only.
func OpenZip(path string) (*Archive, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Lstat(abs)
	if err != nil {
		return nil, fmt.Errorf("open the bundle zip: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("open the bundle zip %s: not a regular file (a symlink is not followed)", path)
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, fmt.Errorf("open the bundle zip: %w", err)
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		_ = f.Close() // read only
		return nil, fmt.Errorf("open the bundle zip %s: %w", path, err)
	}
	a := &Archive{path: abs, f: f, files: map[string]*zip.File{}}
	a.index(zr.File)
	return a, nil
}

// index picks the bundle's top folder and lists its regular files.
func (a *Archive) index(entries []*zip.File) {
	for _, e := range entries {
		if e.Name == ManifestFile {
			a.prefix = ""
			break
		}
		if dir, ok := strings.CutSuffix(e.Name, "/"+ManifestFile); ok && !strings.Contains(dir, "/") && CheckPath(dir) == nil {
			a.prefix = dir + "/"
		}
	}
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.Name
		dir := strings.HasSuffix(name, "/") || e.Mode().IsDir()
		clean := strings.TrimSuffix(name, "/")
		if err := CheckPath(clean); err != nil {
			a.refuse(name, "zip entry name: %v", err)
			continue
		}
		if seen[clean] {
			a.refuse(name, "zip entry listed twice: refused")
			continue
		}
		seen[clean] = true
		if dir {
			continue
		}
		if e.Mode()&fs.ModeSymlink != 0 {
			a.refuse(name, "is a symlink: refused, not followed")
			continue
		}
		if !e.Mode().IsRegular() {
			a.refuse(name, "not a regular file")
			continue
		}
		rel, ok := strings.CutPrefix(name, a.prefix)
		if !ok {
			a.refuse(name, "outside the bundle folder %s in the zip", strings.TrimSuffix(a.prefix, "/"))
			continue
		}
		if e.Method != zip.Store && e.Method != zip.Deflate {
			a.refuse(rel, "zip compression method %d is not supported", e.Method)
			continue
		}
		a.files[rel] = e
	}
}

func (a *Archive) refuse(p, format string, args ...any) {
	a.refused = append(a.refused, Problem{Path: p, Reason: fmt.Sprintf(format, args...)})
}

// Path is the zip's absolute path.
func (a *Archive) Path() string { return a.path }

// Problems are the entries refused when the zip was opened.
func (a *Archive) Problems() []Problem { return a.refused }

// Close closes the zip file.
func (a *Archive) Close() error { return a.f.Close() }

// Files returns the bundle's files (slash-separated paths relative to the
// bundle) and their sizes.
func (a *Archive) Files() map[string]int64 {
	m := make(map[string]int64, len(a.files))
	for p, e := range a.files {
		m[p] = int64(e.UncompressedSize64)
	}
	return m
}

// Open opens the bundle file p for reading (decompressing it if needed;
// the zip's CRC is checked at the end of the stream).
func (a *Archive) Open(p string) (io.ReadCloser, error) {
	e, ok := a.files[p]
	if !ok {
		return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
	}
	return e.Open()
}

// Stored returns the stored (uncompressed) entry p as a section of the
// zip file and its byte offset in the zip; ErrCompressed for a deflated
// entry.
func (a *Archive) Stored(p string) (*io.SectionReader, int64, error) {
	e, ok := a.files[p]
	if !ok {
		return nil, 0, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
	}
	if e.Method != zip.Store || e.CompressedSize64 != e.UncompressedSize64 {
		return nil, 0, fmt.Errorf("%s: %w", p, ErrCompressed)
	}
	off, err := e.DataOffset()
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", p, err)
	}
	return io.NewSectionReader(a.f, off, int64(e.UncompressedSize64)), off, nil
}

// SubfileURL returns the ffmpeg/ffprobe input that reads the stored entry
// p from the zip in place (protocols "subfile,file" must be allowed).
func (a *Archive) SubfileURL(p string) (string, error) {
	sr, off, err := a.Stored(p)
	if err != nil {
		return "", err
	}
	return SubfileURL(a.path, off, sr.Size()), nil
}

// SubfileURL is ffmpeg's input for size bytes at off in the file at the
// absolute path file.
func SubfileURL(file string, off, size int64) string {
	return "subfile,,start," + strconv.FormatInt(off, 10) + ",end," + strconv.FormatInt(off+size, 10) + ",,:file:" + file
}

// fileSet is read access to a bundle's files: its folder or its zip.
type fileSet interface {
	// list returns the regular files (relative path -> size), reporting
	// what it refuses through fail.
	list(fail func(p, format string, args ...any)) map[string]int64
	// open opens a file that list returned.
	open(p string) (io.ReadCloser, error)
	// frameInput is ffmpeg's input for file p: the input argument, the
	// protocols it needs, and a stream to pipe to ffmpeg's stdin (or nil).
	frameInput(p string) (input, protocols string, stdin io.ReadCloser, err error)
}

// zipSet is a fileSet over an Archive.
type zipSet struct{ a *Archive }

func (z zipSet) list(fail func(p, format string, args ...any)) map[string]int64 {
	for _, pr := range z.a.refused {
		fail(pr.Path, "%s", pr.Reason)
	}
	return z.a.Files()
}

func (z zipSet) open(p string) (io.ReadCloser, error) { return z.a.Open(p) }

func (z zipSet) frameInput(p string) (string, string, io.ReadCloser, error) {
	if u, err := z.a.SubfileURL(p); err == nil {
		return u, "subfile,file", nil, nil
	} else if !errors.Is(err, ErrCompressed) {
		return "", "", nil, err
	}
	// A deflated clip (a zip made again by another tool) is decoded from a
	// pipe: a faststart MP4 (as Exhibit writes its clips) needs no seeking.
	r, err := z.a.Open(p)
	return "pipe:0", "pipe", r, err
}
