package redact

import "testing"

func TestInterpolateMidpointAndRounding(t *testing.T) {
	a := Keyframe{10, Box{100, 200, 50, 60}}
	b := Keyframe{20, Box{200, 101, 51, 60}}
	tr := Track{Keyframes: []Keyframe{a, b}, End: -1}
	cases := []struct {
		n    int
		want Box
		ok   bool
	}{
		{9, Box{}, false},
		{10, a.Box, true},
		{15, Box{150, 151, 51, 60}, true}, // 150.5 rounds up to 151 for Y; 50.5 to 51 for W
		{16, Box{160, 141, 51, 60}, true}, // 200-99*0.6=140.6 → 141; 50.6 → 51
		{20, b.Box, true},
		{21, Box{}, false},
	}
	for _, c := range cases {
		got, ok := tr.BoxAt(c.n)
		if ok != c.ok || got != c.want {
			t.Errorf("BoxAt(%d) = %v, %v; want %v, %v", c.n, got, ok, c.want, c.ok)
		}
	}
	tr.End = 25
	if got, ok := tr.BoxAt(25); !ok || got != b.Box {
		t.Errorf("held box at End = %v, %v; want %v", got, ok, b.Box)
	}
	if tr.In() != 10 || tr.Out() != 25 {
		t.Errorf("In/Out = %d/%d, want 10/25", tr.In(), tr.Out())
	}
}

func TestInterpolateNegativeHalf(t *testing.T) {
	// -0.5 rounds up to 0 (toward +infinity), -1.5 to -1.
	a := Keyframe{0, Box{0, 0, 10, 10}}
	b := Keyframe{2, Box{-1, -3, 10, 10}}
	if got := Interpolate(a, b, 1); got != (Box{0, -1, 10, 10}) {
		t.Errorf("Interpolate = %v", got)
	}
}

func TestRegionsAt(t *testing.T) {
	p := Project{
		Frames: []FrameRange{{From: 5, To: 6, Method: Solid}},
		Tracks: []Track{{Shape: Ellipse, Method: Pixelate, Keyframes: []Keyframe{{4, Box{1, 2, 3, 4}}}, End: 5}},
	}
	if r := p.RegionsAt(3, 640, 360); len(r) != 0 {
		t.Errorf("frame 3: %v", r)
	}
	r := p.RegionsAt(5, 640, 360)
	if len(r) != 2 || r[0].Box != (Box{0, 0, 640, 360}) || r[1].Block != DefaultBlock || r[1].Shape != Ellipse {
		t.Errorf("frame 5: %+v", r)
	}
}

func TestBoxInsideAndClip(t *testing.T) {
	cases := []struct {
		b      Box
		inside bool
		clip   Box
	}{
		{Box{0, 0, 640, 360}, true, Box{0, 0, 640, 360}},
		{Box{630, 350, 10, 10}, true, Box{630, 350, 10, 10}},
		{Box{631, 350, 10, 10}, false, Box{631, 350, 9, 10}},
		{Box{-5, -5, 10, 10}, false, Box{0, 0, 5, 5}},
		{Box{640, 0, 10, 10}, false, Box{}},
		{Box{10, 10, 0, 5}, false, Box{}},
	}
	for _, c := range cases {
		if got := c.b.Inside(640, 360); got != c.inside {
			t.Errorf("%v.Inside = %v", c.b, got)
		}
		if got := c.b.Clip(640, 360); got != c.clip {
			t.Errorf("%v.Clip = %v, want %v", c.b, got, c.clip)
		}
	}
}
