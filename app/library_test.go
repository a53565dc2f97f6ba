package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

func newTestLibrary(t *testing.T) *Library {
	t.Helper()
	old := store.DefaultArgon2
	store.DefaultArgon2 = store.Argon2Params{Time: 1, Memory: 8 * 1024, Threads: 1}
	t.Cleanup(func() { store.DefaultArgon2 = old })
	lib, err := Create(filepath.Join(t.TempDir(), "store"), KeySource{Passphrase: []byte("pw"), NoKeyring: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lib.Close() })
	lib.policy.Delay = func(int) time.Duration { return 0 }
	if _, err := lib.CreateFirstAdmin(context.Background(), "admin", []byte("admin password"), "test"); err != nil {
		t.Fatal(err)
	}
	return lib
}

// signInAs signs a user with role into lib, creating the account (as the
// administrator) the first time.
func signInAs(t *testing.T, lib *Library, name string, role Role) {
	t.Helper()
	ctx := context.Background()
	if _, err := lib.st.GetUser(ctx, name); err != nil {
		if _, err := lib.SignIn(ctx, "admin", []byte("admin password"), "test"); err != nil {
			t.Fatal(err)
		}
		if err := lib.AddUser(ctx, name, role, []byte(name+" password")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := lib.SignIn(ctx, name, []byte(name+" password"), "test"); err != nil {
		t.Fatal(err)
	}
}

// addRecording stores random bytes as a master with the given metadata.
func addRecording(t *testing.T, lib *Library, officer, device string, at time.Time, dur time.Duration) *Recording {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 1000)
	rand.Read(b)
	p, err := lib.st.WriteMaster(ctx, bytes.NewReader(b), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &Recording{RecordedAt: at, RecordedAtSource: "sidecar", IngestedAt: time.Now(), Duration: dur,
		Personal: store.Personal{Officer: officer, DeviceSerial: device, SourceName: device + ".MP4"}}
	if err := lib.st.Commit(ctx, p, rec, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	return rec
}

func ids(recs []*Recording) string {
	var s []string
	for _, r := range recs {
		s = append(s, r.Personal.Officer)
	}
	return strings.Join(s, ",")
}

func TestListFilterSort(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	day := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	addRecording(t, lib, "PC 1 Adams", "X1", day, 3*time.Minute)
	addRecording(t, lib, "PC 2 Brown", "X2", day.Add(24*time.Hour), 1*time.Minute)
	addRecording(t, lib, "PS 3 Clark", "Y-3", day.Add(48*time.Hour), 2*time.Minute)

	all, err := lib.List(ctx, Filter{}, SortRecordedAt, false)
	if err != nil || ids(all) != "PS 3 Clark,PC 2 Brown,PC 1 Adams" {
		t.Fatalf("newest first: %s %v", ids(all), err)
	}
	for _, tc := range []struct {
		f    Filter
		key  SortKey
		asc  bool
		want string
	}{
		{Filter{}, SortRecordedAt, true, "PC 1 Adams,PC 2 Brown,PS 3 Clark"},
		{Filter{}, SortDuration, true, "PC 2 Brown,PS 3 Clark,PC 1 Adams"},
		{Filter{}, SortOfficer, false, "PS 3 Clark,PC 2 Brown,PC 1 Adams"},
		{Filter{Officer: "pc "}, SortOfficer, true, "PC 1 Adams,PC 2 Brown"},
		{Filter{Text: "y-3"}, SortRecordedAt, false, "PS 3 Clark"},
		{Filter{Text: "x2.mp4"}, SortRecordedAt, false, "PC 2 Brown"},
		{Filter{From: day.Add(time.Hour), To: day.Add(25 * time.Hour)}, SortRecordedAt, false, "PC 2 Brown"},
		{Filter{Status: "evidence"}, SortRecordedAt, false, ""},
		{Filter{Status: StatusUnreviewed, Officer: "clark"}, SortRecordedAt, false, "PS 3 Clark"},
	} {
		got, err := lib.List(ctx, tc.f, tc.key, tc.asc)
		if err != nil || ids(got) != tc.want {
			t.Errorf("List(%+v, %s, asc=%v) = %q, %v; want %q", tc.f, tc.key, tc.asc, ids(got), err, tc.want)
		}
	}
}

func TestCollectSources(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	v1 := write("CAM1/DCIM/100BWV/FILE0001.MP4", "x")
	write("CAM1/DCIM/100BWV/FILE0001.json", "{}")
	v2 := write("CAM1/DCIM/100BWV/FILE0002.mov", "x")
	write("CAM1/DCIM/100BWV/FILE0002.mov.JSON", "{}")
	other := write("CAM1/LOG/system.log", "x")
	write("CAM1/.Trashes/FILE0003.MP4", "x")
	write("CAM1/DCIM/100BWV/._FILE0001.MP4", "x")

	srcs, err := collectSources([]string{dir, v1})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]sourceFile{}
	for _, s := range srcs {
		got[s.path] = s
	}
	if len(srcs) != 3 {
		t.Fatalf("collected %d: %+v", len(srcs), srcs)
	}
	if s := got[v1]; !s.explicit || !strings.HasSuffix(s.sidecar, "FILE0001.json") {
		t.Errorf("v1: %+v", s)
	}
	if s := got[v2]; !s.explicit || !strings.HasSuffix(s.sidecar, "FILE0002.mov.JSON") {
		t.Errorf("v2: %+v", s)
	}
	if s, ok := got[other]; !ok || s.explicit {
		t.Errorf("non-video extension should be a quiet candidate: %+v", s)
	}
	if _, err := collectSources([]string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("a missing path should fail")
	}
}

func TestFillMetadataPrecedence(t *testing.T) {
	dir := t.TempDir()
	side := filepath.Join(dir, "a.json")
	if err := os.WriteFile(side, []byte(`{"officer":"PC 7 Evans","device_serial":"SC1","recorded_at":"2026-10-01T10:00:00+01:00","gps":{"lat":51.5,"lon":-0.1}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ct := time.Date(2026, 2, 2, 2, 2, 2, 0, time.UTC)
	pr := &media.Probe{CreationTime: ct, Tags: map[string]string{"make": "Axon", "model": "Body 3", "serial": "TAG9"}}

	var r store.Recording
	if err := fillMetadata(&r, pr, sourceFile{sidecar: side, mtime: mtime}); err != nil {
		t.Fatal(err)
	}
	if r.RecordedAtSource != "sidecar" || !r.RecordedAt.Equal(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)) ||
		r.Personal.Officer != "PC 7 Evans" || r.Personal.DeviceSerial != "SC1" || r.Personal.GPS == nil || r.Personal.Make != "Axon" {
		t.Errorf("sidecar: %+v", r)
	}
	r = store.Recording{}
	if err := fillMetadata(&r, pr, sourceFile{mtime: mtime}); err != nil {
		t.Fatal(err)
	}
	if r.RecordedAtSource != "container" || !r.RecordedAt.Equal(ct) || r.Personal.DeviceSerial != "TAG9" {
		t.Errorf("container: %+v", r)
	}
	r = store.Recording{}
	if err := fillMetadata(&r, &media.Probe{}, sourceFile{mtime: mtime}); err != nil {
		t.Fatal(err)
	}
	if r.RecordedAtSource != "mtime" || !r.RecordedAt.Equal(mtime) {
		t.Errorf("mtime: %+v", r)
	}
	if err := os.WriteFile(side, []byte(`{"recorded_at":"yesterday"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fillMetadata(&r, pr, sourceFile{sidecar: side}); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Errorf("bad sidecar time: %v", err)
	}
	if err := os.WriteFile(side, []byte(`{not json`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fillMetadata(&r, pr, sourceFile{sidecar: side}); err == nil {
		t.Error("bad sidecar JSON accepted")
	}
}

func TestServeReaderAtRanges(t *testing.T) {
	data := make([]byte, 300000)
	rand.Read(data)
	url, stop, err := ServeReaderAt(bytes.NewReader(data), int64(len(data)), "x.mp4")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("not loopback: %s", url)
	}
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Range", "bytes=65530-65545")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, data[65530:65546]) {
		t.Fatalf("range: %d %d bytes", resp.StatusCode, len(got))
	}
	// Any other path is not served.
	resp, err = http.Get(url[:strings.LastIndex(url, "/")-1] + "/x.mp4")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("guessed path served: %d", resp.StatusCode)
	}
}

func TestUserMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("open: %w", store.ErrNoKey), "keyring"},
		{store.ErrWrongPassphrase, "passphrase"},
		{fmt.Errorf("x: %w", store.ErrVaultDamaged), "damaged"},
		{fmt.Errorf("x: %w", media.ErrNotMedia), "not a playable video"},
		{errors.New("something else"), "something else"},
	} {
		if got := UserMessage(tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("UserMessage(%v) = %q, want it to mention %q", tc.err, got, tc.want)
		}
	}
}
