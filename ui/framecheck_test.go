package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"exhibit/app"
)

// TestFrameCheckLoopInSession: a recording ingested from packets shows
// "frames being checked" until the session's background check has decoded
// it; the list then says nothing more, and signing out stops the loop.
func TestFrameCheckLoopInSession(t *testing.T) {
	day := 24 * time.Hour
	lib, dir, ids := markStore(t, agedClip{"fresh", 2 * day})
	rec, err := lib.Get(t.Context(), ids["fresh"])
	if err != nil {
		t.Fatal(err)
	}
	if got := frameCheckWords(rec); !strings.HasPrefix(got, "frames being checked") {
		t.Fatalf("frame check before the check %q", got)
	}
	lib.Close()
	s, q, _ := newTestSession(t, Options{StoreDir: dir, NoKeyring: true, Passphrase: []byte("x"),
		User: "sgt", Password: []byte(userPassword("sgt"))})
	s.frameChecks = true // before the sign-in the session is still opening
	q.until(t, "the checked recording listed", func() bool {
		return s.view != nil && !s.view.loading && len(s.view.recs) == 1 &&
			s.view.recs[0].FrameCheck == app.FramesChecked
	})
	loop := s.frameLoop
	if loop == nil {
		t.Fatal("no frame check loop after sign-in")
	}
	test.Tap(findButton(t, s.shown(), "Sign out"))
	q.until(t, "the sign-in screen", func() bool { return s.signin != nil })
	select {
	case <-loop.done:
	default:
		t.Error("the frame check loop still runs after sign-out")
	}
	if s.frameLoop != nil {
		t.Error("the session still has a frame check loop")
	}
	if es := auditEntries(t, dir, "x", app.AuditFilter{Action: "frames.checked"}); len(es) != 1 || es[0].RecordingID != ids["fresh"] {
		t.Errorf("frames.checked entries %+v", es)
	}
}
