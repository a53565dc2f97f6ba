package store

import (
	"encoding/binary"
	"errors"
	"math"
)

// Personal data is sealed as a small tag-length-value record rather than
// JSON: listing 100,000 recordings decodes 100,000 of them, and this is
// several times cheaper. Unknown tags are skipped, so later versions can add
// fields that older ones ignore.
//
//	record = version(1) { tag(1) uvarint(len) bytes(len) }
const personalVersion = 1

const (
	tagOfficer = 1 + iota
	tagDevice
	tagMake
	tagModel
	tagSource
	tagGPS // 16 bytes: lat, lon as IEEE 754 bits, big endian
)

var errPersonalCorrupt = errors.New("personal data record is corrupt")

func appendField(b []byte, tag byte, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func (p *Personal) marshal() []byte {
	b := make([]byte, 0, 16+len(p.Officer)+len(p.DeviceSerial)+len(p.Make)+len(p.Model)+len(p.SourceName)+18)
	b = append(b, personalVersion)
	b = appendField(b, tagOfficer, p.Officer)
	b = appendField(b, tagDevice, p.DeviceSerial)
	b = appendField(b, tagMake, p.Make)
	b = appendField(b, tagModel, p.Model)
	b = appendField(b, tagSource, p.SourceName)
	if p.GPS != nil {
		b = append(b, tagGPS, 16)
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(p.GPS.Lat))
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(p.GPS.Lon))
	}
	return b
}

func (p *Personal) unmarshal(b []byte) error { return p.unmarshalString(string(b)) }

// unmarshalString decodes a record held in a string; the fields are
// substrings of it.
func (p *Personal) unmarshalString(b string) error {
	*p = Personal{}
	if len(b) == 0 || b[0] != personalVersion {
		return errPersonalCorrupt
	}
	b = b[1:]
	for len(b) > 0 {
		tag := b[0]
		n, k := uvarintString(b[1:])
		if k <= 0 || n > uint64(len(b)-1-k) {
			return errPersonalCorrupt
		}
		v := b[1+k : 1+k+int(n)]
		b = b[1+k+int(n):]
		switch tag {
		case tagOfficer:
			p.Officer = v
		case tagDevice:
			p.DeviceSerial = v
		case tagMake:
			p.Make = v
		case tagModel:
			p.Model = v
		case tagSource:
			p.SourceName = v
		case tagGPS:
			if len(v) != 16 {
				return errPersonalCorrupt
			}
			lat := binary.BigEndian.Uint64([]byte(v[:8]))
			lon := binary.BigEndian.Uint64([]byte(v[8:]))
			p.GPS = &GPS{Lat: math.Float64frombits(lat), Lon: math.Float64frombits(lon)}
		}
	}
	return nil
}
