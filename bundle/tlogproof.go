package bundle

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// ProofHeader is the first line of a c2sp.org/tlog-proof@v1 file.
const ProofHeader = "c2sp.org/tlog-proof@v1"

// Proof is one c2sp.org/tlog-proof@v1 file: the leaf index, its RFC 6962
// audit path (from the leaf up) and the signed checkpoint, verbatim.
type Proof struct {
	Extra      []byte // optional opaque data (nil: no extra line)
	Index      int64
	Path       []tlog.Hash
	Checkpoint []byte // signed note
}

// Marshal returns the proof in c2sp.org/tlog-proof@v1 text form.
func (p *Proof) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(ProofHeader + "\n")
	if p.Extra != nil {
		b.WriteString("extra " + base64.StdEncoding.EncodeToString(p.Extra) + "\n")
	}
	fmt.Fprintf(&b, "index %d\n", p.Index)
	for _, h := range p.Path {
		b.WriteString(h.String() + "\n")
	}
	b.WriteString("\n")
	b.Write(p.Checkpoint)
	return b.Bytes()
}

// ParseProof parses a c2sp.org/tlog-proof@v1 file. It checks the syntax
// only; CheckProof verifies it.
func ParseProof(data []byte) (*Proof, error) {
	head, cp, ok := bytes.Cut(data, []byte("\n\n"))
	if !ok {
		return nil, errors.New("no blank line before the checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	if lines[0] != ProofHeader {
		return nil, fmt.Errorf("first line is not %q", ProofHeader)
	}
	lines = lines[1:]
	p := &Proof{Checkpoint: cp}
	if len(lines) > 0 && strings.HasPrefix(lines[0], "extra ") {
		x, err := base64.StdEncoding.Strict().DecodeString(strings.TrimPrefix(lines[0], "extra "))
		if err != nil {
			return nil, fmt.Errorf("extra line: %w", err)
		}
		p.Extra, lines = x, lines[1:]
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "index ") {
		return nil, errors.New("no index line")
	}
	s := strings.TrimPrefix(lines[0], "index ")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != s {
		return nil, fmt.Errorf("index %q is not a decimal number", s)
	}
	p.Index = n
	for _, l := range lines[1:] {
		h, err := tlog.ParseHash(l)
		if err != nil {
			return nil, fmt.Errorf("audit path: %q is not a base64 SHA-256 hash", l)
		}
		p.Path = append(p.Path, h)
	}
	return p, nil
}

// CheckpointBody is what a checkpoint note states.
type CheckpointBody struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// parseCheckpointText parses the text of a c2sp.org/tlog-checkpoint note:
// origin, decimal size, base64 root hash, optional extension lines.
func parseCheckpointText(text string) (*CheckpointBody, error) {
	lines := strings.Split(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return nil, errors.New("checkpoint text is not origin, size and root hash lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return nil, fmt.Errorf("checkpoint size %q is not a number", lines[1])
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return nil, fmt.Errorf("checkpoint root %q: %w", lines[2], err)
	}
	return &CheckpointBody{Origin: lines[0], Size: size, Root: root}, nil
}
