// Package app is Exhibit's application core: the use cases (library, ingest,
// verify, ...) that the CLI and the GUI share. It knows nothing of Fyne; the
// ui package calls it, and it calls store and app/media.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"exhibit/app/media"
	"exhibit/player"
	"exhibit/store"
)

// StatusUnreviewed is the status of a recording no decision was recorded
// for (the others are in decisions.go).
const StatusUnreviewed = "unreviewed"

// DefaultStoreDir returns the store folder used when none is named:
// $EXHIBIT_STORE, else $XDG_DATA_HOME/exhibit, else ~/.local/share/exhibit.
func DefaultStoreDir() (string, error) {
	if d := os.Getenv("EXHIBIT_STORE"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "exhibit"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the default store folder: %w", err)
	}
	return filepath.Join(home, ".local", "share", "exhibit"), nil
}

// Library is an open store seen through the application's use cases.
// Its methods are safe for concurrent use.
type Library struct {
	st     *store.Store
	log    *slog.Logger
	policy SignInPolicy

	mu  sync.Mutex
	who *Principal // signed-in user; nil when nobody is

	dummyOnce sync.Once
	dummy     store.PasswordHash

	frameWake chan struct{} // wakes RunFrameChecks after an ingest
}

// NewLibrary wraps an open store. log may be nil.
func NewLibrary(st *store.Store, log *slog.Logger) *Library {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Library{st: st, log: log, policy: DefaultSignInPolicy, frameWake: make(chan struct{}, 1)}
}

// Dir returns the store folder.
func (l *Library) Dir() string { return l.st.Dir() }

// Close closes the store.
func (l *Library) Close() error { return l.st.Close() }

// GPS is a position fix.
type GPS = store.GPS

// Recording is a library entry.
type Recording = store.Recording

// Filter narrows List. Empty fields match everything.
type Filter struct {
	Text     string    // case-insensitive substring of officer, device, id or source file name
	Officer  string    // case-insensitive substring of the officer
	Status   string    // exact status; "held" matches recordings under a legal hold, "due" those DueSoon
	From, To time.Time // recorded-at range [From, To)
}

// SortKey names a column List can sort by.
type SortKey string

// Sort keys for List.
const (
	SortRecordedAt SortKey = "recorded_at"
	SortOfficer    SortKey = "officer"
	SortDevice     SortKey = "device"
	SortDuration   SortKey = "duration"
	SortStatus     SortKey = "status"
	SortID         SortKey = "id"
	// SortDeletion orders by urgency: ascending puts the recording deleted
	// soonest first and those retention keeps last.
	SortDeletion SortKey = "deletion"
	// SortMarks orders by the number of markers.
	SortMarks SortKey = "marks"
)

// List returns the recordings that match f, sorted by key (newest first for
// recorded-at, unless ascending).
func (l *Library) List(ctx context.Context, f Filter, key SortKey, ascending bool) ([]*Recording, error) {
	who, err := l.require(ctx, PermView, "list")
	if err != nil {
		return nil, err
	}
	status := f.Status
	if status == StatusHeld || status == StatusDueSoon {
		status = ""
	}
	recs, err := l.st.List(ctx, store.ListOptions{From: f.From, To: f.To, Status: status,
		IncludeRestricted: who.Role.Can(PermRestricted)})
	if err != nil {
		return nil, err
	}
	if f.Status == StatusHeld {
		kept := recs[:0]
		for _, r := range recs {
			if r.Held {
				kept = append(kept, r)
			}
		}
		recs = kept
	}
	if err := l.fillRetention(ctx, recs); err != nil {
		return nil, err
	}
	if err := l.fillFrameCheck(ctx, recs); err != nil {
		return nil, err
	}
	if f.Status == StatusDueSoon {
		now := time.Now()
		kept := recs[:0]
		for _, r := range recs {
			if DueSoon(r.DeleteAt, now) {
				kept = append(kept, r)
			}
		}
		recs = kept
	}
	marks, err := l.st.MarkCounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		r.Marks = marks[r.ID]
	}
	if f.Text != "" || f.Officer != "" {
		text, officer := strings.ToLower(f.Text), strings.ToLower(f.Officer)
		kept := recs[:0]
		for _, r := range recs {
			if officer != "" && !strings.Contains(strings.ToLower(r.Personal.Officer), officer) {
				continue
			}
			if text != "" && !containsFold(text, r.ID, r.Personal.Officer, r.Personal.DeviceSerial, r.Personal.SourceName) {
				continue
			}
			kept = append(kept, r)
		}
		recs = kept
	}
	if key != "" && (key != SortRecordedAt || ascending) {
		SortRecordings(recs, key, ascending)
	}
	return recs, nil
}

func containsFold(lowerNeedle string, hay ...string) bool {
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), lowerNeedle) {
			return true
		}
	}
	return false
}

// SortRecordings sorts recs in place by key; ties fall back to recorded-at
// (newest first) and then id, so the order is stable across calls.
func SortRecordings(recs []*Recording, key SortKey, ascending bool) {
	less := func(a, b *Recording) int {
		switch key {
		case SortOfficer:
			return strings.Compare(strings.ToLower(a.Personal.Officer), strings.ToLower(b.Personal.Officer))
		case SortDevice:
			return strings.Compare(a.Personal.DeviceSerial, b.Personal.DeviceSerial)
		case SortDuration:
			return cmpInt(int64(a.Duration), int64(b.Duration))
		case SortStatus:
			return strings.Compare(a.Status, b.Status)
		case SortID:
			return strings.Compare(a.ID, b.ID)
		case SortDeletion:
			return compareDeletion(a, b)
		case SortMarks:
			return cmpInt(int64(a.Marks), int64(b.Marks))
		default:
			return a.RecordedAt.Compare(b.RecordedAt)
		}
	}
	sort.SliceStable(recs, func(i, j int) bool {
		c := less(recs[i], recs[j])
		if !ascending {
			c = -c
		}
		if c != 0 {
			return c < 0
		}
		if d := recs[i].RecordedAt.Compare(recs[j].RecordedAt); d != 0 {
			return d > 0
		}
		return recs[i].ID < recs[j].ID
	})
}

// compareDeletion orders by when retention deletes: sooner first, those it
// keeps (no DeleteAt) after all that it deletes.
func compareDeletion(a, b *Recording) int {
	switch az, bz := a.DeleteAt.IsZero(), b.DeleteAt.IsZero(); {
	case az && bz:
		return 0
	case az:
		return 1
	case bz:
		return -1
	}
	return a.DeleteAt.Compare(b.DeleteAt)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Get resolves id (a full id or a unique prefix) and returns the recording,
// if the signed-in user may see it.
func (l *Library) Get(ctx context.Context, id string) (*Recording, error) {
	full, err := l.resolve(ctx, id, "show")
	if err != nil {
		return nil, err
	}
	r, err := l.st.Get(ctx, full)
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", full, err)
	}
	if err := l.fillRetention(ctx, []*Recording{r}); err != nil {
		return nil, fmt.Errorf("retention of recording %s: %w", full, err)
	}
	return r, nil
}

// VaultFile returns the path of a recording's encrypted master in the
// store folder (for `show --json`: backup and forensic tooling).
func (l *Library) VaultFile(ctx context.Context, id string) (string, error) {
	full, err := l.resolve(ctx, id, "show")
	if err != nil {
		return "", err
	}
	return l.st.VaultPath(ctx, full)
}

// Count returns how many recordings the signed-in user may see.
func (l *Library) Count(ctx context.Context) (int, error) {
	who, err := l.require(ctx, PermView, "list")
	if err != nil {
		return 0, err
	}
	return l.st.Count(ctx, who.Role.Can(PermRestricted))
}

// Thumbnail returns a recording's JPEG thumbnail, or nil when it has none.
func (l *Library) Thumbnail(ctx context.Context, id string) ([]byte, error) {
	full, err := l.resolve(ctx, id, "thumbnail")
	if err != nil {
		return nil, err
	}
	b, err := l.st.Thumbnail(ctx, full)
	if err != nil {
		return nil, fmt.Errorf("thumbnail of recording %s: %w", full, err)
	}
	return b, nil
}

// FrameTable returns a recording's frame table.
func (l *Library) FrameTable(ctx context.Context, id string) (*media.FrameTable, error) {
	full, err := l.resolve(ctx, id, "show")
	if err != nil {
		return nil, err
	}
	return l.frameTable(ctx, full)
}

func (l *Library) frameTable(ctx context.Context, id string) (*media.FrameTable, error) {
	b, err := l.st.FrameTable(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("frame table of recording %s: %w", id, err)
	}
	if b == nil {
		return nil, fmt.Errorf("recording %s has no frame table", id)
	}
	var ft media.FrameTable
	if err := ft.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("recording %s frame table: %w", id, err)
	}
	return &ft, nil
}

// MakeModel joins a camera's make and model, naming the make once:
// "Axon" and "Axon Body 3" give "Axon Body 3".
func MakeModel(mk, model string) string {
	if strings.HasPrefix(strings.ToLower(model), strings.ToLower(mk)) {
		return model
	}
	return strings.TrimSpace(mk + " " + model)
}

// UserMessage turns an error into one sentence a sergeant understands; the
// detail stays in the log. It gives no advice that belongs to one front
// end (command-line flags, make targets): the CLI adds its own.
func UserMessage(err error) string {
	var locked *LockedError
	var perm *PermissionError
	var deleted *DeletedError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, store.ErrNoKey):
		return "This store is locked: no key in the system keyring and no passphrase given. " +
			"Unlock the keyring, or enter the store passphrase."
	case errors.Is(err, store.ErrWrongPassphrase):
		return "That passphrase does not open this store."
	case errors.Is(err, store.ErrNoPassphraseSet):
		return "This store has no passphrase: it opens only with the key kept in the system keyring of the computer that created it."
	case errors.Is(err, store.ErrKeyringUnavailable):
		return "The system keyring could not keep the store's key; choose a passphrase to protect it instead."
	case errors.Is(err, store.ErrNotInitialized):
		return "There is no Exhibit store in this folder yet."
	case errors.As(err, &deleted):
		return "Recording " + deleted.Deletion.RecordingID + " was deleted on " +
			deleted.Deletion.DeletedAt.Local().Format("2 Jan 2006 at 15:04 MST") + " (" + deleted.Deletion.Rule +
			"). Only its deletion record remains, in the audit trail."
	case errors.Is(err, store.ErrNotFound), errors.Is(err, ErrNotPermitted):
		return "No such recording, or you are not permitted to see it."
	case errors.Is(err, store.ErrNoUser):
		return "No such user."
	case errors.Is(err, store.ErrAmbiguous):
		return "That id matches more than one recording; type more of it."
	case errors.Is(err, store.ErrVaultDamaged), errors.Is(err, store.ErrDecrypt):
		return "The stored copy of this recording is damaged or has been altered; it cannot be trusted. Run a verify and tell your administrator."
	case errors.Is(err, media.ErrNotMedia):
		return "This is not a playable video file."
	case errors.Is(err, media.ErrToolNotFound):
		return "ffmpeg is not installed on this machine; it is needed to read video."
	case errors.Is(err, media.ErrNotLossless):
		return "This range cannot be cut losslessly from this recording, so no clip was written (" +
			strings.TrimPrefix(strings.TrimPrefix(err.Error(), media.ErrNotLossless.Error()), ": ") +
			"). A court copy (without --lossless) re-encodes the same frames."
	case errors.Is(err, ErrFramesUnchecked):
		return "No clip was made: the frames of this recording could not be checked, because its stored copy does not decode. Run verify on it."
	case errors.Is(err, ErrFramesCorrected):
		return "No clip was made: checking this recording's frames just now corrected its frame numbers, so the range you chose may name other frames. Check the range (markers were moved with their frames) and clip again."
	case errors.Is(err, store.ErrNoRedaction):
		return "No such redaction project, or you are not permitted to see it."
	case errors.Is(err, store.ErrNoDerivative):
		return "No such clip, or you are not permitted to see it."
	case errors.Is(err, ErrOutOfRange):
		return "That frame or time is outside the recording: " + err.Error()
	case errors.Is(err, player.ErrSourceRead):
		return "The stored copy of this recording could not be read; it may be damaged or altered. Run a verify and tell your administrator."
	case errors.Is(err, ErrSignInFailed):
		return "Wrong user name or password."
	case errors.As(err, &locked):
		return "This account is locked after too many failed sign-ins. Try again after " +
			locked.Until.Local().Format("15:04 MST") + ", or ask an administrator to unlock it."
	case errors.Is(err, ErrNoUsers):
		return "This store has no users yet: create its first administrator."
	case errors.Is(err, ErrNotSignedIn):
		return "Nobody is signed in (the session may have locked); sign in again."
	case errors.As(err, &perm):
		return "Your role (" + perm.Role.Title() + ") may not " + permNames[perm.What] + "."
	case errors.Is(err, ErrUnknownReference):
		return "No verify failure has that reference. Type it as the verify report gave it, e.g. VR-7KQ2-M9XD."
	case errors.Is(err, store.ErrUserExists):
		return "A user with that name already exists."
	case errors.Is(err, context.Canceled):
		return "Cancelled."
	case errors.Is(err, os.ErrPermission):
		return "Permission denied: " + err.Error()
	case errors.Is(err, os.ErrNotExist):
		return "Not found: " + err.Error()
	}
	return err.Error()
}
