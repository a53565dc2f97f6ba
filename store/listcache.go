package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"
	"unsafe"
)

// The list cache is a sealed snapshot of every recording's summary (what
// List returns), newest first, tagged with the generation counter that
// triggers bump on any change to recordings. List uses it while the
// generation is current and otherwise scans the table and writes a new one.
//
//	data     = uvarint(chunks) { uvarint(len) sealed(chunk) }   AD list_cache|gen|i/n
//	chunk    = version(1) uvarint(count) { record }             at most 16384 records
//	record   = str(id) str(sha256) varint(recorded_at ms) varint(duration ms)
//	           uvarint(frames) str(status) byte(restricted | held<<1) str(personal record)
//	str      = uvarint(len) bytes
const listCacheVersion = 2

var errListCacheCorrupt = errors.New("list cache is corrupt")

func listCacheAD(gen int64) string { return "list_cache|" + strconv.FormatInt(gen, 10) }

func (s *Store) listGeneration(ctx context.Context) (int64, error) {
	var g int64
	err := s.db.QueryRowContext(ctx, "SELECT generation FROM list_state WHERE id = 1").Scan(&g)
	return g, err
}

// listChunkSize is the number of records sealed together; chunks are
// opened and decoded on all cores at once.
const listChunkSize = 16384

// cachedList returns the snapshot for generation gen, or false when there is
// none, it is older, or it does not open (then the table is scanned instead).
func (s *Store) cachedList(ctx context.Context, gen int64) ([]*Recording, bool) {
	rows, err := s.db.QueryContext(ctx, "SELECT generation, data FROM list_cache WHERE id = 1")
	if err != nil {
		return nil, false
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, false
	}
	// RawBytes: the driver's buffer, valid until rows.Close; each chunk is
	// decrypted out of it into memory of our own (no extra copy).
	var cgen int64
	var blob sql.RawBytes
	if err := rows.Scan(&cgen, &blob); err != nil || cgen != gen {
		return nil, false
	}
	// blob = uvarint(chunks) { uvarint(len) sealed chunk }
	n, k := binary.Uvarint(blob)
	if k <= 0 || n > uint64(len(blob)) {
		return nil, false
	}
	blob = blob[k:]
	chunks := make([][]byte, n)
	for i := range chunks {
		l, k := binary.Uvarint(blob)
		if k <= 0 || l > uint64(len(blob)-k) {
			return nil, false
		}
		chunks[i], blob = blob[k:k+int(l)], blob[k+int(l):]
	}
	if len(blob) != 0 {
		return nil, false
	}
	parts := make([][]*Recording, len(chunks))
	errs := make([]error, len(chunks))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for i, c := range chunks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			plain, err := s.fields.open(c, listChunkAD(gen, i, len(chunks)))
			if err != nil {
				errs[i] = err
				return
			}
			// plain is this function's own copy and is never written again,
			// so the decoded strings may share it.
			parts[i], errs[i] = decodeListCache(unsafe.String(unsafe.SliceData(plain), len(plain)))
		}()
	}
	wg.Wait()
	total := 0
	for i := range parts {
		if errs[i] != nil {
			return nil, false
		}
		total += len(parts[i])
	}
	out := make([]*Recording, 0, total)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out, true
}

func listChunkAD(gen int64, i, n int) string {
	return listCacheAD(gen) + "|" + strconv.Itoa(i) + "/" + strconv.Itoa(n)
}

// storeListCache writes the snapshot of recs for generation gen, unless the
// table has changed since. It is only a cache: failing to write it (a busy
// or read-only store) costs the next List a scan, nothing more.
func (s *Store) storeListCache(ctx context.Context, gen int64, recs []*Recording) {
	n := (len(recs) + listChunkSize - 1) / listChunkSize
	blob := binary.AppendUvarint(nil, uint64(n))
	for i := range n {
		part := recs[i*listChunkSize : min(len(recs), (i+1)*listChunkSize)]
		sealed := s.fields.seal(encodeListCache(part), listChunkAD(gen, i, n))
		blob = binary.AppendUvarint(blob, uint64(len(sealed)))
		blob = append(blob, sealed...)
	}
	_ = s.withTx(ctx, func(tx *sql.Tx) error {
		var now int64
		if err := tx.QueryRow("SELECT generation FROM list_state WHERE id = 1").Scan(&now); err != nil {
			return err
		}
		if now != gen {
			return errors.New("changed meanwhile")
		}
		_, err := tx.Exec("INSERT OR REPLACE INTO list_cache (id, generation, data) VALUES (1, ?, ?)", gen, blob)
		return err
	})
}

func appendStr(b []byte, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func encodeListCache(recs []*Recording) []byte {
	b := make([]byte, 0, len(recs)*192+16)
	b = append(b, listCacheVersion)
	b = binary.AppendUvarint(b, uint64(len(recs)))
	for _, r := range recs {
		b = appendStr(b, []byte(r.ID))
		b = appendStr(b, []byte(r.SHA256))
		b = binary.AppendVarint(b, r.RecordedAt.UnixMilli())
		b = binary.AppendVarint(b, r.Duration.Milliseconds())
		b = binary.AppendUvarint(b, uint64(r.Frames))
		b = appendStr(b, []byte(r.Status))
		var flags byte
		if r.Restricted {
			flags |= 1
		}
		if r.Held {
			flags |= 2
		}
		b = append(b, flags)
		b = appendStr(b, r.Personal.marshal())
	}
	return b
}

// listDecoder reads a snapshot held in one string: every string field is a
// substring of it, so 100,000 records cost no per-field allocation.
type listDecoder struct {
	b   string
	err error
}

func (d *listDecoder) uvarint() uint64 {
	v, n := uvarintString(d.b)
	if n <= 0 {
		d.err, d.b = errListCacheCorrupt, ""
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *listDecoder) varint() int64 {
	ux := d.uvarint() // zig-zag, as binary.AppendVarint writes it
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

// uvarintString is binary.Uvarint for a string.
func uvarintString(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		c := s[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				return 0, -1
			}
			return x | uint64(c)<<shift, i + 1
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	return 0, 0
}

func (d *listDecoder) str() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.err, d.b = errListCacheCorrupt, ""
		return ""
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *listDecoder) byte() byte {
	if len(d.b) == 0 {
		d.err = errListCacheCorrupt
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func decodeListCache(b string) ([]*Recording, error) {
	if len(b) == 0 || b[0] != listCacheVersion {
		return nil, errListCacheCorrupt
	}
	d := &listDecoder{b: b[1:]}
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		return nil, errListCacheCorrupt
	}
	recs := make([]Recording, n)
	out := make([]*Recording, n)
	for i := range recs {
		r := &recs[i]
		r.ID = d.str()
		r.SHA256 = d.str()
		r.RecordedAt = time.UnixMilli(d.varint()).UTC()
		r.Duration = time.Duration(d.varint()) * time.Millisecond
		r.Frames = int(d.uvarint())
		r.Status = d.str()
		flags := d.byte()
		r.Restricted, r.Held = flags&1 != 0, flags&2 != 0
		p := d.str()
		if d.err != nil {
			return nil, d.err
		}
		if err := r.Personal.unmarshalString(p); err != nil {
			return nil, fmt.Errorf("%w: %w", errListCacheCorrupt, err)
		}
		out[i] = r
	}
	if len(d.b) != 0 {
		return nil, errListCacheCorrupt
	}
	return out, nil
}
