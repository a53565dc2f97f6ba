package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"exhibit/store"
)

// Annotation is one revision of a marker or range on a recording.
type Annotation = store.Annotation

// DefaultCategories are the annotation categories of a new store.
var DefaultCategories = []string{"use of force", "arrest", "caution given", "significant statement",
	"injury", "search", "complaint", "other"}

const categoriesKey = "annotation_categories"

// MaxNoteLength is the longest note or reason accepted, in characters.
const MaxNoteLength = 10000

// ErrUnknownCategory reports an annotation category not in the store's list.
var ErrUnknownCategory = errors.New("not one of the annotation categories")

// Categories returns the annotation categories offered to reviewers (an
// administrator's setting; DefaultCategories when unset).
func (l *Library) Categories(ctx context.Context) ([]string, error) {
	v, err := l.st.Setting(ctx, categoriesKey)
	if err != nil {
		return nil, fmt.Errorf("read annotation categories: %w", err)
	}
	if v == "" {
		return append([]string(nil), DefaultCategories...), nil
	}
	var cs []string
	if err := json.Unmarshal([]byte(v), &cs); err != nil {
		return nil, fmt.Errorf("annotation categories setting: %w", err)
	}
	return cs, nil
}

// SetCategories replaces the list of annotation categories
// (administrators). Annotations keep the category they were given.
func (l *Library) SetCategories(ctx context.Context, cats []string) error {
	if _, err := l.require(ctx, PermRetention, "settings"); err != nil {
		return err
	}
	var clean []string
	seen := map[string]bool{}
	for _, c := range cats {
		c = normCategory(c)
		if c == "" || seen[c] {
			continue
		}
		if len(c) > 64 || strings.ContainsAny(c, "\n\r\t") {
			return fmt.Errorf("category %q: use at most 64 characters on one line", c)
		}
		seen[c] = true
		clean = append(clean, c)
	}
	if len(clean) == 0 {
		return errors.New("name at least one category")
	}
	b, _ := json.Marshal(clean)
	e := l.entry("settings")
	e.Detail = "annotation categories " + strings.Join(clean, ", ")
	return l.st.SetSetting(ctx, categoriesKey, string(b), e)
}

func normCategory(c string) string { return strings.ToLower(strings.Join(strings.Fields(c), " ")) }

// category returns the store's spelling of category c.
func (l *Library) category(ctx context.Context, c string) (string, error) {
	cats, err := l.Categories(ctx)
	if err != nil {
		return "", err
	}
	n := normCategory(c)
	for _, k := range cats {
		if k == n {
			return k, nil
		}
	}
	return "", fmt.Errorf("%q is %w (%s)", c, ErrUnknownCategory, strings.Join(cats, ", "))
}

// MarkInput is a new or changed annotation: a point marker when FrameOut
// is negative or equal to FrameIn, else the range [FrameIn, FrameOut].
type MarkInput struct {
	FrameIn  int
	FrameOut int
	Category string
	Note     string
}

func checkText(what, s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%s is not valid text", what)
	}
	if utf8.RuneCountInString(s) > MaxNoteLength {
		return "", fmt.Errorf("%s is longer than %d characters", what, MaxNoteLength)
	}
	return s, nil
}

// checkMark validates m against the recording and the categories.
func (l *Library) checkMark(ctx context.Context, recordingID string, m MarkInput) (MarkInput, error) {
	rec, err := l.st.Get(ctx, recordingID)
	if err != nil {
		return m, fmt.Errorf("recording %s: %w", recordingID, err)
	}
	if m.FrameOut < 0 {
		m.FrameOut = m.FrameIn
	}
	if m.FrameIn < 0 || m.FrameOut < m.FrameIn || (rec.Frames > 0 && m.FrameOut >= rec.Frames) {
		return m, fmt.Errorf("frames %d-%d: %w (the recording has frames 0-%d)", m.FrameIn, m.FrameOut, ErrOutOfRange, rec.Frames-1)
	}
	if m.Category, err = l.category(ctx, m.Category); err != nil {
		return m, err
	}
	m.Note, err = checkText("the note", m.Note)
	return m, err
}

func markDetail(m MarkInput) string {
	if m.FrameIn == m.FrameOut {
		return fmt.Sprintf("frame %d, %s", m.FrameIn, m.Category)
	}
	return fmt.Sprintf("frames %d-%d, %s", m.FrameIn, m.FrameOut, m.Category)
}

// Marks returns the current annotations of a recording, by frame.
func (l *Library) Marks(ctx context.Context, id string) ([]*Annotation, error) {
	full, err := l.resolve(ctx, id, "annotate.list")
	if err != nil {
		return nil, err
	}
	as, err := l.st.Annotations(ctx, full, false)
	if err != nil {
		return nil, fmt.Errorf("annotations of recording %s: %w", full, err)
	}
	return as, nil
}

// AddMark adds an annotation to a recording (reviewers). It is committed,
// with its audit entry, before AddMark returns.
func (l *Library) AddMark(ctx context.Context, id string, m MarkInput) (*Annotation, error) {
	who, err := l.requireOn(ctx, PermAnnotate, "annotate.add", id)
	if err != nil {
		return nil, err
	}
	full, err := l.resolve(ctx, id, "annotate.add")
	if err != nil {
		return nil, err
	}
	if m, err = l.checkMark(ctx, full, m); err != nil {
		return nil, err
	}
	a := &Annotation{RecordingID: full, FrameIn: m.FrameIn, FrameOut: m.FrameOut, Category: m.Category, Note: m.Note, Author: who.Name}
	e := l.entry("annotate.add")
	e.Detail = markDetail(m)
	if err := l.st.AddAnnotation(ctx, a, e); err != nil {
		return nil, fmt.Errorf("mark recording %s at %s: %w", full, markDetail(m), err)
	}
	return a, nil
}

// annotation finds an annotation the signed-in user may see.
func (l *Library) annotation(ctx context.Context, annotationID, action string) (*Annotation, error) {
	a, err := l.st.Annotation(ctx, strings.ToUpper(strings.TrimSpace(annotationID)))
	if err != nil {
		return nil, fmt.Errorf("annotation %s: %w", annotationID, err)
	}
	if _, err := l.resolve(ctx, a.RecordingID, action); err != nil {
		return nil, fmt.Errorf("annotation %s: %w", annotationID, store.ErrNoAnnotation)
	}
	return a, nil
}

// EditMark changes an annotation: a new revision; the old one stays in
// its history.
func (l *Library) EditMark(ctx context.Context, annotationID string, m MarkInput) (*Annotation, error) {
	who, err := l.require(ctx, PermAnnotate, "annotate.edit")
	if err != nil {
		return nil, err
	}
	cur, err := l.annotation(ctx, annotationID, "annotate.edit")
	if err != nil {
		return nil, err
	}
	if m, err = l.checkMark(ctx, cur.RecordingID, m); err != nil {
		return nil, err
	}
	a := &Annotation{ID: cur.ID, FrameIn: m.FrameIn, FrameOut: m.FrameOut, Category: m.Category, Note: m.Note, Author: who.Name}
	e := l.entry("annotate.edit")
	e.Detail = markDetail(m)
	if err := l.st.ReviseAnnotation(ctx, a, false, e); err != nil {
		return nil, fmt.Errorf("edit annotation %s of recording %s (%s): %w", cur.ID, cur.RecordingID, markDetail(m), err)
	}
	a.CreatedBy, a.CreatedAt = cur.CreatedBy, cur.CreatedAt
	return a, nil
}

// DeleteMark deletes an annotation. The deletion is a recorded revision:
// the annotation's history stays.
func (l *Library) DeleteMark(ctx context.Context, annotationID string) error {
	who, err := l.require(ctx, PermAnnotate, "annotate.delete")
	if err != nil {
		return err
	}
	cur, err := l.annotation(ctx, annotationID, "annotate.delete")
	if err != nil {
		return err
	}
	e := l.entry("annotate.delete")
	e.Detail = "deleted"
	if err := l.st.ReviseAnnotation(ctx, &Annotation{ID: cur.ID, Author: who.Name}, true, e); err != nil {
		return fmt.Errorf("delete annotation %s of recording %s: %w", cur.ID, cur.RecordingID, err)
	}
	return nil
}

// MarkHistory returns every revision of an annotation, oldest first.
func (l *Library) MarkHistory(ctx context.Context, annotationID string) ([]*Annotation, error) {
	cur, err := l.annotation(ctx, annotationID, "annotate.history")
	if err != nil {
		return nil, err
	}
	h, err := l.st.AnnotationHistory(ctx, cur.ID)
	if err != nil {
		return nil, fmt.Errorf("history of annotation %s of recording %s: %w", cur.ID, cur.RecordingID, err)
	}
	return h, nil
}

// MarksHistory returns every revision of every annotation of a recording,
// deleted ones included: each annotation's revisions oldest first, the
// annotations in the order Marks lists them.
func (l *Library) MarksHistory(ctx context.Context, id string) ([]*Annotation, error) {
	full, err := l.resolve(ctx, id, "annotate.history")
	if err != nil {
		return nil, err
	}
	cur, err := l.st.Annotations(ctx, full, true)
	if err != nil {
		return nil, fmt.Errorf("recording %s: annotations: %w", full, err)
	}
	var all []*Annotation
	for _, a := range cur {
		h, err := l.st.AnnotationHistory(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("annotation %s: history: %w", a.ID, err)
		}
		all = append(all, h...)
	}
	return all, nil
}
