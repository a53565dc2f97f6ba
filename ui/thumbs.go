package ui

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"log/slog"
	"time"
)

// thumbCache holds decoded thumbnails by recording id. Each JPEG is fetched
// and decoded once, off the UI goroutine; the cache itself is touched only
// on the UI goroutine.
type thumbCache struct {
	ctx     context.Context
	fetch   func(ctx context.Context, id string) ([]byte, error)
	do      func(func())
	log     *slog.Logger
	changed func() // called (coalesced, on the UI goroutine) after loads

	images  map[string]image.Image // nil value: the recording has no thumbnail
	loading map[string]bool
	sem     chan struct{}
	pending bool // a changed() call is scheduled
}

func newThumbCache(ctx context.Context, fetch func(context.Context, string) ([]byte, error), do func(func()), log *slog.Logger, changed func()) *thumbCache {
	return &thumbCache{
		ctx: ctx, fetch: fetch, do: do, log: log, changed: changed,
		images: map[string]image.Image{}, loading: map[string]bool{},
		sem: make(chan struct{}, 2),
	}
}

// get returns the thumbnail of id and whether it is known yet. When it is
// not, a load starts and changed is called once it is in. A recording with
// no thumbnail is known, with a nil image.
func (c *thumbCache) get(id string) (image.Image, bool) {
	if img, ok := c.images[id]; ok {
		return img, true
	}
	if !c.loading[id] {
		c.loading[id] = true
		go c.load(id)
	}
	return nil, false
}

func (c *thumbCache) load(id string) {
	select {
	case c.sem <- struct{}{}:
	case <-c.ctx.Done():
		return
	}
	img := c.decode(id)
	<-c.sem
	c.do(func() {
		delete(c.loading, id)
		c.images[id] = img
		if c.pending {
			return
		}
		// Many thumbnails arrive together when a page of rows appears:
		// refresh once for all of them.
		c.pending = true
		time.AfterFunc(50*time.Millisecond, func() {
			c.do(func() {
				c.pending = false
				c.changed()
			})
		})
	})
}

func (c *thumbCache) decode(id string) image.Image {
	b, err := c.fetch(c.ctx, id)
	if err != nil {
		if c.ctx.Err() == nil {
			c.log.Warn("load thumbnail", "id", id, "error", err)
		}
		return nil
	}
	if len(b) == 0 {
		return nil
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		c.log.Warn("decode thumbnail", "id", id, "error", err)
		return nil
	}
	return img
}
