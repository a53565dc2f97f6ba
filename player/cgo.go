package player

/*
#cgo pkg-config: mpv
#include <stdlib.h>
#include "cmpv.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"io"
	"runtime/cgo"
	"sync"
	"sync/atomic"
	"unsafe"

	mpv "github.com/gen2brain/go-mpv"
)

// This file is the only place that converts between go-mpv's handle and the
// C API, and the only place with cgo callbacks. Callbacks from libmpv threads
// only signal (non-blocking channel send) or serve stream reads; they never
// call back into libmpv.

// setLocaleC sets LC_NUMERIC to "C"; libmpv refuses to start otherwise.
func setLocaleC() { C.exh_setlocale_c() }

// rawHandle returns the *C.mpv_handle held by go-mpv's Mpv. go-mpv v0.2.3's
// Mpv is struct{ handle *C.mpv_handle }; TestRawHandleLayout fails if that
// changes.
func rawHandle(m *mpv.Mpv) *C.mpv_handle {
	return *(**C.mpv_handle)(unsafe.Pointer(m))
}

// mpvErr converts an mpv error code into an error (nil for >= 0).
func mpvErr(code C.int) error {
	if code >= 0 {
		return nil
	}
	return fmt.Errorf("mpv: %s", C.GoString(C.mpv_error_string(code)))
}

// command runs an mpv command synchronously. go-mpv's Command leaks the C
// copies of its arguments, which matters for a long review session that
// issues one command per key press, so this frees them.
func command(h *C.mpv_handle, args ...string) error {
	cargs := make([]*C.char, len(args)+1)
	for i, a := range args {
		cargs[i] = C.CString(a)
	}
	defer func() {
		for _, p := range cargs[:len(args)] {
			C.free(unsafe.Pointer(p))
		}
	}()
	return mpvErr(C.mpv_command(h, &cargs[0]))
}

// commandAsync queues an mpv command (mpv_command_async); libmpv copies the
// arguments, and the command's MPV_EVENT_COMMAND_REPLY carries id. The
// reply is queued as soon as the command ran on libmpv's core thread, so
// in the event stream it separates what happened before the command from
// what happened after it.
func commandAsync(h *C.mpv_handle, id uint64, args ...string) error {
	cargs := make([]*C.char, len(args)+1)
	for i, a := range args {
		cargs[i] = C.CString(a)
	}
	defer func() {
		for _, p := range cargs[:len(args)] {
			C.free(unsafe.Pointer(p))
		}
	}()
	return mpvErr(C.mpv_command_async(h, C.uint64_t(id), &cargs[0]))
}

// getFlag reads a flag property through the raw handle.
func getFlag(h *C.mpv_handle, name string) (bool, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var v C.int
	if err := mpvErr(C.mpv_get_property(h, cname, C.MPV_FORMAT_FLAG, unsafe.Pointer(&v))); err != nil {
		return false, fmt.Errorf("get %s: %w", name, err)
	}
	return v != 0, nil
}

// getDouble reads a double property through the raw handle.
func getDouble(h *C.mpv_handle, name string) (float64, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var v C.double
	if err := mpvErr(C.mpv_get_property(h, cname, C.MPV_FORMAT_DOUBLE, unsafe.Pointer(&v))); err != nil {
		return 0, fmt.Errorf("get %s: %w", name, err)
	}
	return float64(v), nil
}

// getInt reads an int64 property through the raw handle.
func getInt(h *C.mpv_handle, name string) (int64, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var v C.int64_t
	if err := mpvErr(C.mpv_get_property(h, cname, C.MPV_FORMAT_INT64, unsafe.Pointer(&v))); err != nil {
		return 0, fmt.Errorf("get %s: %w", name, err)
	}
	return int64(v), nil
}

// propEvent is a decoded MPV_EVENT_PROPERTY_CHANGE for the formats this
// package observes (flag, int64, double). go-mpv's decoder reads flags as Go
// ints (8 bytes from a 4 byte C int), so decoding is done here.
type propEvent struct {
	name  string
	ok    bool // false when the property is unavailable (MPV_FORMAT_NONE)
	flag  bool
	i64   int64
	float float64
}

func decodeProp(data unsafe.Pointer) propEvent {
	p := (*C.mpv_event_property)(data)
	ev := propEvent{name: C.GoString(p.name)}
	switch p.format {
	case C.MPV_FORMAT_FLAG:
		ev.ok = true
		ev.flag = *(*C.int)(p.data) != 0
	case C.MPV_FORMAT_INT64:
		ev.ok = true
		ev.i64 = int64(*(*C.int64_t)(p.data))
	case C.MPV_FORMAT_DOUBLE:
		ev.ok = true
		ev.float = float64(*(*C.double)(p.data))
	}
	return ev
}

// endFileInfo decodes MPV_EVENT_END_FILE.
func endFileInfo(data unsafe.Pointer) (reason int, err error) {
	p := (*C.mpv_event_end_file)(data)
	return int(p.reason), mpvErr(p.error)
}

// Reasons from mpv_end_file_reason used by the event loop.
const (
	endReasonEOF   = int(C.MPV_END_FILE_REASON_EOF)
	endReasonError = int(C.MPV_END_FILE_REASON_ERROR)
)

// ---- render context ---------------------------------------------------------

// renderCtx wraps mpv_render_context. All methods must be called from the
// render goroutine.
type renderCtx struct {
	ctx *C.mpv_render_context
	tag cgo.Handle
}

// newRenderCtx creates the SW render context; sig receives a non-blocking
// send whenever libmpv's update callback fires.
func newRenderCtx(h *C.mpv_handle, sig chan<- struct{}) (*renderCtx, error) {
	rc := &renderCtx{tag: cgo.NewHandle(sig)}
	if err := mpvErr(C.exh_render_create(h, C.uintptr_t(rc.tag), &rc.ctx)); err != nil {
		rc.tag.Delete()
		return nil, fmt.Errorf("create render context: %w", err)
	}
	return rc, nil
}

// update reports whether libmpv has a frame waiting and whether that is a
// redraw (same picture) rather than a new video frame.
func (rc *renderCtx) update() (pending, redraw bool) {
	var flags C.uint64_t
	r := C.exh_render_update(rc.ctx, &flags)
	if r&C.MPV_RENDER_UPDATE_FRAME == 0 {
		return false, false
	}
	redraw = flags&(C.MPV_RENDER_FRAME_INFO_REDRAW|C.MPV_RENDER_FRAME_INFO_REPEAT) != 0
	return true, redraw
}

// render draws the current frame into img (RGBA, alpha forced to 0xFF).
func (rc *renderCtx) render(img *image.RGBA) error {
	b := img.Rect
	return mpvErr(C.exh_render_sw(rc.ctx, C.int(b.Dx()), C.int(b.Dy()), C.size_t(img.Stride),
		unsafe.Pointer(&img.Pix[0]), 0))
}

// skip consumes the pending frame without drawing it.
func (rc *renderCtx) skip() error {
	var dummy [64]byte
	return mpvErr(C.exh_render_sw(rc.ctx, 16, 1, 64, unsafe.Pointer(&dummy[0]), 1))
}

// free frees the context; after it returns libmpv never calls the update
// callback again, so the handle can go.
func (rc *renderCtx) free() {
	C.exh_render_free(rc.ctx)
	rc.ctx = nil
	rc.tag.Delete()
}

//export exhibitRenderUpdate
func exhibitRenderUpdate(tag C.uintptr_t) {
	sig := cgo.Handle(tag).Value().(chan<- struct{})
	select {
	case sig <- struct{}{}:
	default:
	}
}

// ---- stream_cb: the vault protocol -------------------------------------------

// vaultProtocol is the URI scheme under which Source.Reader is served to
// libmpv; the decrypted bytes never touch the disk.
const vaultProtocol = "exhibitvault"

// vaultSource serves one Source.Reader to libmpv.
type vaultSource struct {
	name  string
	r     io.ReaderAt
	size  int64
	token string

	errMu  sync.Mutex
	err    error  // first read error, reported by the engine
	notify func() // called (once) when err is first set

	streams sync.WaitGroup // open streams

	// handles of every stream opened; deleted only by release, after
	// mpv_terminate_destroy (libmpv may call cancel after close).
	hmu     sync.Mutex
	handles []cgo.Handle
}

// release deletes the stream handles; call after mpv_terminate_destroy.
func (v *vaultSource) release() {
	v.hmu.Lock()
	defer v.hmu.Unlock()
	for _, h := range v.handles {
		h.Delete()
	}
	v.handles = nil
}

func (v *vaultSource) setErr(err error) {
	v.errMu.Lock()
	first := v.err == nil
	if first {
		v.err = err
	}
	v.errMu.Unlock()
	if first && v.notify != nil {
		v.notify()
	}
}

// Err returns the first read error seen, if any.
func (v *vaultSource) Err() error {
	v.errMu.Lock()
	defer v.errMu.Unlock()
	return v.err
}

// vaultStream is one libmpv stream opened on a vaultSource.
type vaultStream struct {
	src       *vaultSource
	mu        sync.Mutex
	pos       int64
	cancelled atomic.Bool
	closed    atomic.Bool
}

// register adds the protocol to the mpv instance; the returned handle must be
// deleted only after mpv_terminate_destroy returned.
func registerVault(h *C.mpv_handle, v *vaultSource) (cgo.Handle, error) {
	tag := cgo.NewHandle(v)
	cp := C.CString(vaultProtocol)
	defer C.free(unsafe.Pointer(cp))
	if err := mpvErr(C.exh_stream_add(h, cp, C.uintptr_t(tag))); err != nil {
		tag.Delete()
		return 0, fmt.Errorf("register %s protocol: %w", vaultProtocol, err)
	}
	return tag, nil
}

// errStreamCancelled is recorded when libmpv cancels a read (on close).
var errStreamCancelled = errors.New("stream cancelled")

//export exhibitStreamOpen
func exhibitStreamOpen(tag C.uintptr_t, uri *C.char) C.uintptr_t {
	v := cgo.Handle(tag).Value().(*vaultSource)
	if C.GoString(uri) != vaultProtocol+"://"+v.token {
		return 0
	}
	v.streams.Add(1)
	h := cgo.NewHandle(&vaultStream{src: v})
	v.hmu.Lock()
	v.handles = append(v.handles, h)
	v.hmu.Unlock()
	return C.uintptr_t(h)
}

// maxRead bounds one read so a single call cannot pin huge C buffers in Go.
const maxRead = 4 << 20

//export exhibitStreamRead
func exhibitStreamRead(cookie C.uintptr_t, buf *C.char, n C.uint64_t) (ret C.int64_t) {
	s := cgo.Handle(cookie).Value().(*vaultStream)
	defer func() {
		if p := recover(); p != nil {
			s.src.setErr(fmt.Errorf("read %s: panic in reader: %v", s.src.name, p))
			ret = -1
		}
	}()
	if s.cancelled.Load() {
		return -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pos >= s.src.size {
		return 0
	}
	want := min(int64(n), s.src.size-s.pos, maxRead)
	p := unsafe.Slice((*byte)(unsafe.Pointer(buf)), want)
	got, err := s.src.r.ReadAt(p, s.pos)
	if got < 0 || int64(got) > want {
		s.src.setErr(fmt.Errorf("read %s at %d: reader returned %d bytes", s.src.name, s.pos, got))
		return -1
	}
	s.pos += int64(got)
	if got > 0 {
		if err != nil && !errors.Is(err, io.EOF) {
			s.src.setErr(fmt.Errorf("read %s at %d: %w", s.src.name, s.pos, err))
		}
		return C.int64_t(got)
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = fmt.Errorf("%w: got EOF at %d of %d bytes", io.ErrUnexpectedEOF, s.pos, s.src.size)
	}
	s.src.setErr(fmt.Errorf("read %s at %d: %w", s.src.name, s.pos, err))
	return -1
}

//export exhibitStreamSeek
func exhibitStreamSeek(cookie C.uintptr_t, off C.int64_t) C.int64_t {
	s := cgo.Handle(cookie).Value().(*vaultStream)
	if off < 0 || int64(off) > s.src.size {
		return C.int64_t(C.MPV_ERROR_GENERIC)
	}
	s.mu.Lock()
	s.pos = int64(off)
	s.mu.Unlock()
	return off
}

//export exhibitStreamSize
func exhibitStreamSize(cookie C.uintptr_t) C.int64_t {
	return C.int64_t(cgo.Handle(cookie).Value().(*vaultStream).src.size)
}

//export exhibitStreamCancel
func exhibitStreamCancel(cookie C.uintptr_t) {
	cgo.Handle(cookie).Value().(*vaultStream).cancelled.Store(true)
}

//export exhibitStreamClose
func exhibitStreamClose(cookie C.uintptr_t) {
	s := cgo.Handle(cookie).Value().(*vaultStream)
	if s.closed.CompareAndSwap(false, true) {
		s.cancelled.Store(true)
		s.src.streams.Done()
	}
}

// ---- core: the mpv handle ----------------------------------------------------

// core owns one mpv instance: go-mpv's client plus the raw handle for the
// render and stream_cb APIs.
type core struct {
	m *mpv.Mpv
	h *C.mpv_handle
}

func newCore() (*core, error) {
	setLocaleC()
	m := mpv.New()
	h := rawHandle(m)
	if h == nil {
		return nil, fmt.Errorf("%w: mpv_create failed", ErrPlayback)
	}
	return &core{m: m, h: h}, nil
}

func (c *core) command(args ...string) error { return command(c.h, args...) }

func (c *core) commandAsync(id uint64, args ...string) error { return commandAsync(c.h, id, args...) }

func (c *core) getDouble(name string) (float64, error) { return getDouble(c.h, name) }

func (c *core) getFlag(name string) (bool, error) { return getFlag(c.h, name) }

func (c *core) getInt(name string) (int64, error) { return getInt(c.h, name) }

func (c *core) newRenderCtx(sig chan<- struct{}) (*renderCtx, error) { return newRenderCtx(c.h, sig) }

func (c *core) registerVault(v *vaultSource) (cgo.Handle, error) { return registerVault(c.h, v) }

// mpvEvent is a decoded mpv_event.
type mpvEvent struct {
	id        mpv.EventID
	err       error
	reply     uint64
	prop      propEvent
	endReason int
	endErr    error
	logPrefix string
	logLevel  string
	logText   string
}

// waitEvent blocks in mpv_wait_event; only the event loop goroutine calls it.
func (c *core) waitEvent(timeout float64) mpvEvent {
	ev := c.m.WaitEvent(timeout)
	out := mpvEvent{id: ev.EventID, err: ev.Error, reply: ev.ReplyUserdata}
	switch ev.EventID {
	case mpv.EventPropertyChange:
		out.prop = decodeProp(ev.Data)
	case mpv.EventEnd:
		out.endReason, out.endErr = endFileInfo(ev.Data)
	case mpv.EventLogMsg:
		p := (*C.mpv_event_log_message)(ev.Data)
		out.logPrefix = C.GoString(p.prefix)
		out.logLevel = C.GoString(p.level)
		out.logText = C.GoString(p.text)
	}
	return out
}
