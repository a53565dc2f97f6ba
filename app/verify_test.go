package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exhibit/app/media"
	"exhibit/store"
)

// TestVerifyCoversRestricted: a bulk verify checks restricted recordings
// too. A viewer gets counts and, for a failure, an opaque reference that
// nothing the viewer can read ties to the recording; professional
// standards resolve it and verify restricted recordings by id and in bulk.
func TestVerifyCoversRestricted(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	for i, name := range []string{"a.mp4", "b.mp4", "c.mp4"} {
		if err := media.WriteIndexedClip(ctx, filepath.Join(dir, name), media.IndexedClipOptions{Frames: 12 + i}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := lib.Ingest(ctx, []string{dir}, IngestOptions{})
	if err != nil || len(res) != 3 {
		t.Fatalf("ingest: %v %+v", err, res)
	}
	secret := res[1].ID
	signInAs(t, lib, "psd1", RolePSD)
	if _, err := lib.Restrict(ctx, secret, true); err != nil {
		t.Fatal(err)
	}

	signInAs(t, lib, "viewer1", RoleViewer)
	var seen []string
	rep, err := lib.Verify(ctx, nil, func(id string, i, n int) { seen = append(seen, id) })
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2 || rep.Restricted.Verified != 1 || rep.Restricted.Failed != 0 || rep.Failed() != 0 || rep.Checked() != 3 {
		t.Fatalf("viewer's bulk verify: %+v", rep)
	}
	if got := rep.Restricted.Summary(); got != "1 restricted recording verified, 0 failed" {
		t.Errorf("summary %q", got)
	}
	for _, id := range seen {
		if id == secret {
			t.Fatal("progress named the restricted recording to a viewer")
		}
	}
	if len(seen) != 3 {
		t.Fatalf("progress %q", seen)
	}

	// Damage the restricted recording's stored copy.
	path, err := lib.st.VaultPath(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err = lib.Verify(ctx, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Restricted.Failed != 1 || len(rep.Restricted.References) != 1 || rep.Failed() != 1 || len(rep.Results) != 2 {
		t.Fatalf("viewer's verify of a damaged restricted recording: %+v", rep)
	}
	ref := rep.Restricted.References[0]
	if len(ref) != len("VR-XXXX-XXXX") || !strings.HasPrefix(ref, "VR-") || strings.Contains(ref, secret) {
		t.Fatalf("reference %q", ref)
	}
	for _, r := range rep.Results {
		if r.ID == secret || !r.OK {
			t.Fatalf("viewer result %+v", r)
		}
	}
	// Nothing the viewer may read names the recording; the reference is there.
	es, err := lib.AuditEntries(ctx, AuditFilter{Action: "verify"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range es {
		if e.RecordingID == secret || strings.Contains(e.Detail, secret) {
			t.Fatalf("viewer reads an audit entry naming the restricted recording: %+v", e)
		}
		found = found || strings.Contains(e.Detail, ref)
	}
	if !found {
		t.Error("the run's audit entry does not carry the reference")
	}
	var pe *PermissionError
	if _, err := lib.ResolveVerifyReference(ctx, ref); !errors.As(err, &pe) {
		t.Fatalf("viewer resolved a reference: %v", err)
	}
	if _, err := lib.Verify(ctx, []string{secret}, nil); !errors.Is(err, ErrNotPermitted) {
		t.Fatalf("viewer verified the restricted recording by id: %v", err)
	}

	// Professional standards resolve it, in any case, with or without the
	// prefix; an unknown one is said so.
	signInAs(t, lib, "psd1", RolePSD)
	for _, typed := range []string{ref, strings.ToLower(ref), strings.TrimPrefix(ref, "VR-")} {
		vr, err := lib.ResolveVerifyReference(ctx, typed)
		if err != nil || vr.RecordingID != secret || vr.By != "viewer1" || vr.Error == "" || strings.Contains(vr.Error, "reference") {
			t.Fatalf("resolve %q: %v %+v", typed, err, vr)
		}
	}
	if _, err := lib.ResolveVerifyReference(ctx, "VR-2222-2222"); !errors.Is(err, ErrUnknownReference) {
		t.Fatalf("unknown reference: %v", err)
	}
	outcomes := map[string]int{}
	for _, e := range func() []AuditEntry { es, _ := lib.AuditEntries(ctx, AuditFilter{Action: "verify.resolve"}); return es }() {
		outcomes[e.Outcome]++
		if e.Outcome == store.OutcomeOK && e.RecordingID != secret {
			t.Errorf("resolution entry %+v", e)
		}
	}
	if outcomes[store.OutcomeOK] != 3 || outcomes[store.OutcomeDenied] != 1 || outcomes[store.OutcomeFailed] != 1 {
		t.Fatalf("resolutions audited: %v", outcomes)
	}
	// ... and verify restricted recordings by id and in bulk, by name.
	rep, err = lib.Verify(ctx, []string{secret}, nil)
	if err != nil || len(rep.Results) != 1 || rep.Results[0].OK || rep.Results[0].ID != secret {
		t.Fatalf("psd verify by id: %v %+v", err, rep)
	}
	rep, err = lib.Verify(ctx, nil, nil)
	if err != nil || len(rep.Results) != 3 || rep.Restricted.Verified+rep.Restricted.Failed != 0 || rep.Failed() != 1 {
		t.Fatalf("psd bulk verify: %v %+v", err, rep)
	}
}

func TestVerifyReferenceAlphabet(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		ref, err := newVerifyReference()
		if err != nil {
			t.Fatal(err)
		}
		if len(ref) != 12 || ref[7] != '-' || seen[ref] || !validVerifyReference(ref) {
			t.Fatalf("reference %q (seen %v)", ref, seen[ref])
		}
		seen[ref] = true
		for _, c := range strings.ReplaceAll(strings.TrimPrefix(ref, "VR-"), "-", "") {
			if !strings.ContainsRune("23456789ABCDEFGHJKMNPQRSTVWXYZ", c) {
				t.Fatalf("reference %q has %q", ref, c)
			}
		}
	}
}
