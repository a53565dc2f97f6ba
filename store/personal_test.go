package store

import (
	"reflect"
	"testing"
)

func TestPersonalRoundTrip(t *testing.T) {
	for _, p := range []Personal{
		{},
		{Officer: "PC 1234 Smith", DeviceSerial: "X60A1234", Make: "Axon", Model: "Body 3", SourceName: "FILE0001.MP4",
			GPS: &GPS{Lat: 51.501364, Lon: -0.14189}},
		{Officer: "Ünïcödé Ø’Brien", GPS: &GPS{}},
	} {
		var got Personal
		if err := got.unmarshal(p.marshal()); err != nil || !reflect.DeepEqual(got, p) {
			t.Fatalf("round trip %+v: got %+v, %v", p, got, err)
		}
	}
	// Unknown tags from a later version are skipped.
	b := append((&Personal{Officer: "A"}).marshal(), 99, 2, 'x', 'y')
	var got Personal
	if err := got.unmarshal(b); err != nil || got.Officer != "A" {
		t.Fatalf("unknown tag: %+v %v", got, err)
	}
}

func FuzzPersonalUnmarshal(f *testing.F) {
	f.Add((&Personal{Officer: "PC 1", GPS: &GPS{Lat: 1, Lon: 2}}).marshal())
	f.Add([]byte{1, 1, 200})
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Personal
		if p.unmarshal(b) == nil {
			var q Personal
			if err := q.unmarshal(p.marshal()); err != nil || !reflect.DeepEqual(p, q) {
				t.Fatalf("re-marshal of %+v: %+v %v", p, q, err)
			}
		}
	})
}
