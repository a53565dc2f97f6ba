package media

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// Hashing decoded frames in Go rather than in ffmpeg. ffmpeg's framehash
// muxer computes SHA-256 in portable C (about 300 MB/s here); Go uses the
// CPU's SHA instructions (several times faster). A court copy's split
// sends the master range's frames twice more: as YUV4MPEG2 on fd 3 (the
// decoder's own planes, framed, not converted) and to ffmpeg's framecrc
// muxer on fd 4 (Adler-32, cheap), whose lines give each frame's stream,
// dts, pts, duration and size, and whose header the framehash header
// shares. frameHasher reads both at once, independently (no order between
// the two outputs is assumed), and joins them into the exact text `-f
// framehash -hash sha256` writes (tested byte for byte against it).

// frameHasher builds framehash text from a framecrc stream and the same
// frames as YUV4MPEG2.
type frameHasher struct {
	crc, y4m io.Reader
}

// run reads both streams to their end and returns the framehash text.
func (h frameHasher) run() ([]byte, error) {
	var header, rows []string
	var sizes []int
	var crcErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(h.crc)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "#") {
				header = append(header, line)
				continue
			}
			i := strings.LastIndex(line, ", 0x")
			f := strings.Split(line, ",")
			size := -1
			if len(f) == 6 {
				if n, err := strconv.Atoi(strings.TrimSpace(f[4])); err == nil {
					size = n
				}
			}
			if i < 0 || size < 0 {
				if crcErr == nil {
					crcErr = fmt.Errorf("framecrc line %q: not a plain frame", line)
				}
				continue
			}
			rows, sizes = append(rows, line[:i+2]), append(sizes, size)
		}
		if err := sc.Err(); err != nil && crcErr == nil {
			crcErr = err
		}
	}()
	hashes, frameSize, yerr := hashY4M(h.y4m)
	_, _ = io.Copy(io.Discard, h.y4m) // on failure, let ffmpeg finish writing
	wg.Wait()
	if crcErr != nil {
		return nil, crcErr
	}
	if yerr != nil {
		return nil, yerr
	}
	if len(hashes) != len(rows) {
		return nil, fmt.Errorf("%d frames as YUV4MPEG2, %d framecrc lines", len(hashes), len(rows))
	}
	var out bytes.Buffer
	out.WriteString("#format: frame checksums\n#version: 2\n#hash: SHA256\n")
	for _, l := range header {
		out.WriteString(l)
		out.WriteByte('\n')
	}
	out.WriteString("#stream#, dts,        pts, duration,     size, hash\n")
	for i, r := range rows {
		if sizes[i] != frameSize {
			return nil, fmt.Errorf("frame %d: %d bytes as raw video, %d as YUV4MPEG2", i, sizes[i], frameSize)
		}
		out.WriteString(r)
		out.WriteString(hashes[i])
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

// hashY4M returns the hex SHA-256 of each frame's planes in a YUV4MPEG2
// stream, and the frame size.
func hashY4M(r io.Reader) ([]string, int, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.ReadString('\n')
	if err != nil {
		return nil, 0, fmt.Errorf("YUV4MPEG2 header: %w", err)
	}
	size, err := y4mFrameSize(strings.TrimSpace(head))
	if err != nil {
		return nil, 0, err
	}
	var out []string
	buf := make([]byte, size)
	sum := sha256.New()
	var d [sha256.Size]byte
	for {
		line, err := br.ReadString('\n')
		if err == io.EOF && line == "" {
			return out, size, nil
		}
		if err != nil || !strings.HasPrefix(line, "FRAME") {
			return nil, 0, fmt.Errorf("YUV4MPEG2 frame %d header %q: %v", len(out), line, err)
		}
		if _, err := io.ReadFull(br, buf); err != nil {
			return nil, 0, fmt.Errorf("YUV4MPEG2 frame %d: %w", len(out), err)
		}
		sum.Reset()
		sum.Write(buf)
		out = append(out, hex.EncodeToString(sum.Sum(d[:0])))
	}
}

// y4mFrameSize is the bytes of one frame's planes from a YUV4MPEG2 stream
// header ("YUV4MPEG2 W1920 H1080 ... C420jpeg ...").
func y4mFrameSize(head string) (int, error) {
	f := strings.Fields(head)
	if len(f) == 0 || f[0] != "YUV4MPEG2" {
		return 0, fmt.Errorf("not a YUV4MPEG2 header: %q", head)
	}
	w, h, c := 0, 0, "420jpeg"
	for _, p := range f[1:] {
		switch p[0] {
		case 'W':
			w, _ = strconv.Atoi(p[1:])
		case 'H':
			h, _ = strconv.Atoi(p[1:])
		case 'C':
			c = p[1:]
		}
	}
	if w <= 0 || h <= 0 {
		return 0, fmt.Errorf("YUV4MPEG2 header %q: no size", head)
	}
	bytesPer := 1
	base := c
	for _, depth := range []string{"p9", "p10", "p12", "p14", "p16"} {
		if strings.HasSuffix(c, depth) {
			bytesPer, base = 2, strings.TrimSuffix(c, depth)
		}
	}
	if strings.HasPrefix(c, "mono") && c != "mono" {
		bytesPer, base = 2, "mono"
	}
	cw, ch := (w+1)/2, (h+1)/2
	var samples int
	switch base {
	case "420", "420jpeg", "420paldv", "420mpeg2":
		samples = w*h + 2*cw*ch
	case "422":
		samples = w*h + 2*cw*h
	case "444":
		samples = 3 * w * h
	case "444alpha":
		samples = 4 * w * h
	case "mono":
		samples = w * h
	default:
		return 0, errors.New("YUV4MPEG2 colour space " + c + " is not handled")
	}
	return samples * bytesPer, nil
}
