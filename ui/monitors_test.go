package ui

import (
	"image"
	"reflect"
	"testing"
)

func TestMonitorLabelsAndDefault(t *testing.T) {
	laptop := monitor{Name: "eDP-1", Rect: image.Rect(0, 0, 1366, 768), Primary: true}
	hdmi := monitor{Name: "HDMI-1", Rect: image.Rect(1366, 0, 1366+1920, 1080)}
	left := monitor{Name: "DP-2", Rect: image.Rect(-1280, 0, 0, 1024)}
	above := monitor{Name: "DP-3", Rect: image.Rect(0, -1080, 1920, 0)}
	mirror := monitor{Name: "HDMI-2", Rect: image.Rect(0, 0, 1366, 768)}
	for _, c := range []struct {
		ms     []monitor
		labels []string
		def    int
	}{
		{[]monitor{laptop, hdmi}, []string{"eDP-1 1366×768 (primary)", "HDMI-1 1920×1080 (right)"}, 1},
		{[]monitor{hdmi, laptop}, []string{"HDMI-1 1920×1080 (right)", "eDP-1 1366×768 (primary)"}, 0},
		{[]monitor{laptop, left, above, mirror}, []string{"eDP-1 1366×768 (primary)", "DP-2 1280×1024 (left)", "DP-3 1920×1080 (above)", "HDMI-2 1366×768 (same place)"}, 1},
		{[]monitor{laptop}, []string{"eDP-1 1366×768 (primary)"}, 0},
		{nil, []string{}, -1},
	} {
		if got := monitorLabels(c.ms); !reflect.DeepEqual(got, c.labels) {
			t.Errorf("labels %v, want %v", got, c.labels)
		}
		if got := defaultMonitor(c.ms); got != c.def {
			t.Errorf("default %d for %v, want %d", got, c.labels, c.def)
		}
	}
	// None marked primary: places are relative to the first, and the
	// second is the default.
	none := []monitor{{Name: "Screen 1", Rect: image.Rect(0, 0, 1280, 720)}, {Name: "Screen 2", Rect: image.Rect(0, 720, 1280, 1440)}}
	if got := monitorLabels(none); !reflect.DeepEqual(got, []string{"Screen 1 1280×720 (first)", "Screen 2 1280×720 (below)"}) {
		t.Errorf("labels %v", got)
	}
	if got := defaultMonitor(none); got != 1 {
		t.Errorf("default %d without a primary, want 1", got)
	}
	if got := centredOn(image.Rect(1280, 0, 2560, 720), 960, 540); got != image.Pt(1440, 90) {
		t.Errorf("centredOn %v", got)
	}
}
