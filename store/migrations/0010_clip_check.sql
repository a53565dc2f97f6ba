-- The clip check: a clip is kept once its structure is proven at write
-- time (lossless: the master's own packets, byte for byte, and an edit
-- list that selects exactly the range by presentation time; court copy:
-- the master range's frame hashes taken from the transcode's own decode,
-- one output frame per master frame by timestamps). The decoded-frame
-- hashes of the clip itself (and, for a lossless clip, of the master
-- range, which must equal them row for row) are computed later by the
-- background clip check, or at once by an export that needs them:
--   pending  frame_hash (lossless: and master_frame_hash) is empty until
--            the check has run
--   checked  the decoded frames are as the structure promised
--   failed   they are not (or the stored clip does not decode): the clip
--            is marked failed and is never exported
-- Clips made before this version were checked by decoding when made.
ALTER TABLE derivatives ADD COLUMN frame_check TEXT NOT NULL DEFAULT 'checked'
    CHECK (frame_check IN ('pending', 'checked', 'failed'));
CREATE INDEX derivatives_frame_check ON derivatives(frame_check, created_at)
    WHERE frame_check IN ('pending', 'failed');
