-- The clip check: a clip is kept once its structure is proven at write
-- time (lossless: the master's own packets, byte for byte, and an edit
-- list that selects exactly the range by presentation time; court copy:
-- one video sample per master frame, each at its frame's time). The
-- decoded-frame hashes of the clip itself and of the master range
-- (lossless: equal row for row; court copy: every master frame once, in
-- order, at its time) are computed later by the background clip check, or
-- at once by an export that needs them (ARCHITECTURE.md, "Clips"):
--   pending  frame_hash and master_frame_hash are empty until the check
--            has run (a court copy made by an earlier build may already
--            carry master_frame_hash; the check recomputes it)
--   checked  the decoded frames are as the structure promised
--   failed   they are not (or the stored clip does not decode): the clip
--            is marked failed and is never exported
-- Clips made before this version were checked by decoding when made.
ALTER TABLE derivatives ADD COLUMN frame_check TEXT NOT NULL DEFAULT 'checked'
    CHECK (frame_check IN ('pending', 'checked', 'failed'));
CREATE INDEX derivatives_frame_check ON derivatives(frame_check, created_at)
    WHERE frame_check IN ('pending', 'failed');
