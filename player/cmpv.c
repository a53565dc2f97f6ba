#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include "cmpv.h"
#include "_cgo_export.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define EXH_ALPHA_MASK 0xFF000000u
#else
#define EXH_ALPHA_MASK 0x000000FFu
#endif

void exh_setlocale_c(void) { setlocale(LC_NUMERIC, "C"); }

static void exh_update_cb(void *ctx) { exhibitRenderUpdate((uintptr_t)ctx); }

int exh_render_create(mpv_handle *h, uintptr_t tag, mpv_render_context **out) {
    int advanced = 0;
    mpv_render_param params[] = {
        {MPV_RENDER_PARAM_API_TYPE, (void *)MPV_RENDER_API_TYPE_SW},
        {MPV_RENDER_PARAM_ADVANCED_CONTROL, &advanced},
        {MPV_RENDER_PARAM_INVALID, NULL},
    };
    int r = mpv_render_context_create(out, h, params);
    if (r < 0)
        return r;
    mpv_render_context_set_update_callback(*out, exh_update_cb, (void *)tag);
    return 0;
}

uint64_t exh_render_update(mpv_render_context *ctx, uint64_t *info_flags) {
    uint64_t r = mpv_render_context_update(ctx);
    *info_flags = 0;
    if (r & MPV_RENDER_UPDATE_FRAME) {
        mpv_render_frame_info info = {0};
        mpv_render_param p = {MPV_RENDER_PARAM_NEXT_FRAME_INFO, &info};
        if (mpv_render_context_get_info(ctx, p) >= 0)
            *info_flags = info.flags;
    }
    return r;
}

int exh_render_sw(mpv_render_context *ctx, int w, int h, size_t stride, void *buf, int skip) {
    int size[2] = {w, h};
    int block = 0;
    int skipr = skip ? 1 : 0;
    mpv_render_param params[] = {
        {MPV_RENDER_PARAM_SW_SIZE, size},
        {MPV_RENDER_PARAM_SW_FORMAT, (void *)"rgb0"},
        {MPV_RENDER_PARAM_SW_STRIDE, &stride},
        {MPV_RENDER_PARAM_SW_POINTER, buf},
        {MPV_RENDER_PARAM_BLOCK_FOR_TARGET_TIME, &block},
        {MPV_RENDER_PARAM_SKIP_RENDERING, &skipr},
        {MPV_RENDER_PARAM_INVALID, NULL},
    };
    int r = mpv_render_context_render(ctx, params);
    if (r >= 0 && !skip) {
        // rgb0 -> RGBA: the 4th byte is undefined; make it opaque. stride
        // and the buffer are 4-byte aligned (checked by the Go side).
        for (int y = 0; y < h; y++) {
            uint32_t *row = (uint32_t *)((uint8_t *)buf + (size_t)y * stride);
            for (int x = 0; x < w; x++)
                row[x] |= EXH_ALPHA_MASK;
        }
    }
    return r;
}

void exh_render_free(mpv_render_context *ctx) {
    mpv_render_context_set_update_callback(ctx, NULL, NULL);
    mpv_render_context_free(ctx);
}

// --- stream_cb ---------------------------------------------------------------

static int64_t exh_read(void *cookie, char *buf, uint64_t n) {
    return exhibitStreamRead((uintptr_t)cookie, buf, n);
}
static int64_t exh_seek(void *cookie, int64_t off) {
    return exhibitStreamSeek((uintptr_t)cookie, off);
}
static int64_t exh_size(void *cookie) {
    return exhibitStreamSize((uintptr_t)cookie);
}
static void exh_close(void *cookie) { exhibitStreamClose((uintptr_t)cookie); }
static void exh_cancel(void *cookie) { exhibitStreamCancel((uintptr_t)cookie); }

static int exh_open(void *user_data, char *uri, mpv_stream_cb_info *info) {
    uintptr_t cookie = exhibitStreamOpen((uintptr_t)user_data, uri);
    if (cookie == 0)
        return MPV_ERROR_LOADING_FAILED;
    info->cookie = (void *)cookie;
    info->read_fn = exh_read;
    info->seek_fn = exh_seek;
    info->size_fn = exh_size;
    info->close_fn = exh_close;
    info->cancel_fn = exh_cancel;
    return 0;
}

int exh_stream_add(mpv_handle *h, const char *protocol, uintptr_t tag) {
    return mpv_stream_cb_add_ro(h, protocol, (void *)tag, exh_open);
}
