// Package player's C glue for libmpv's render (software) and stream_cb APIs.
// Only this file, cmpv.c and cgo.go talk to these parts of libmpv; the plain
// client API is used through github.com/gen2brain/go-mpv.
#ifndef EXHIBIT_PLAYER_CMPV_H
#define EXHIBIT_PLAYER_CMPV_H

#include <stdint.h>
#include <mpv/client.h>
#include <mpv/render.h>
#include <mpv/stream_cb.h>

// exh_setlocale_c sets LC_NUMERIC to "C", which libmpv requires before
// mpv_create.
void exh_setlocale_c(void);

// exh_render_create creates a software render context. The update callback
// calls the Go function exhibitRenderUpdate(tag). Returns an mpv error code.
int exh_render_create(mpv_handle *h, uintptr_t tag, mpv_render_context **out);

// exh_render_next_frame reports MPV_RENDER_UPDATE_FRAME from
// mpv_render_context_update and, when set, the next frame's info flags.
uint64_t exh_render_update(mpv_render_context *ctx, uint64_t *info_flags);

// exh_render_sw renders the current frame as rgb0 into buf (w x h, stride
// bytes per row) and, on success, sets every 4th byte to 0xFF so the result is
// RGBA. skip != 0 only consumes the frame (MPV_RENDER_PARAM_SKIP_RENDERING).
int exh_render_sw(mpv_render_context *ctx, int w, int h, size_t stride, void *buf, int skip);

// exh_render_free frees the context and clears the update callback first.
void exh_render_free(mpv_render_context *ctx);

// exh_stream_add registers protocol with callbacks backed by Go functions;
// tag identifies the Go-side source (a cgo.Handle value).
int exh_stream_add(mpv_handle *h, const char *protocol, uintptr_t tag);

#endif
