-- Review workflow: annotations, decisions, legal holds, deletions.
-- Free text (notes, reasons) is sealed like personal data, bound to its row.

-- A recording under legal hold is never deleted by retention. Kept in step
-- with holds by the store (an UPDATE, so the list snapshot is renewed).
ALTER TABLE recordings ADD COLUMN held INTEGER NOT NULL DEFAULT 0;

-- Annotations are versioned rows: an edit or a deletion adds a revision,
-- nothing is overwritten. The current state of an annotation is its
-- highest revision; a deleted one's last revision has deleted = 1.
CREATE TABLE annotations (
    id           TEXT NOT NULL,                 -- 10 chars, same alphabet as recording ids
    revision     INTEGER NOT NULL,              -- 1, 2, ...
    recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    frame_in     INTEGER NOT NULL,              -- 0-based presentation order
    frame_out    INTEGER NOT NULL,              -- = frame_in for a point marker
    category     TEXT NOT NULL,
    note         BLOB NOT NULL,                 -- sealed, AD annotations.note|<recording>|<id>|<revision>
    deleted      INTEGER NOT NULL DEFAULT 0,
    author       TEXT NOT NULL,                 -- who made this revision
    at           INTEGER NOT NULL,              -- Unix ms UTC
    PRIMARY KEY (id, revision),
    CHECK (frame_in >= 0 AND frame_out >= frame_in)
) STRICT;
CREATE INDEX annotations_by_recording ON annotations(recording_id, id, revision);

-- Review decisions, newest per recording is current (recordings.status
-- mirrors it: evidence, policing, nfa, referred).
CREATE TABLE decisions (
    recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,              -- 1, 2, ... per recording
    decision     TEXT NOT NULL CHECK (decision IN ('evidence', 'policing', 'nfa', 'refer-psd')),
    reason       BLOB NOT NULL,                 -- sealed, AD decisions.reason|<recording>|<seq>
    reviewer     TEXT NOT NULL,
    at           INTEGER NOT NULL,
    PRIMARY KEY (recording_id, seq)
) STRICT;

-- Legal holds: at most one open hold per recording; released holds stay.
CREATE TABLE holds (
    id             INTEGER PRIMARY KEY,
    recording_id   TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    reason         BLOB NOT NULL,               -- sealed, AD holds.reason|<recording>|<id>
    placed_by      TEXT NOT NULL,
    placed_at      INTEGER NOT NULL,
    released_by    TEXT NOT NULL DEFAULT '',
    released_at    INTEGER NOT NULL DEFAULT 0,  -- 0 = in force
    release_reason BLOB                         -- sealed, AD holds.release_reason|<recording>|<id>
) STRICT;
CREATE UNIQUE INDEX holds_open ON holds(recording_id) WHERE released_at = 0;

-- What is left of a deleted recording: enough to prove it existed and why
-- it went, and nothing personal. The recording row, its data key, frame
-- table, thumbnail, annotations, decisions and holds are gone.
CREATE TABLE deletions (
    recording_id  TEXT PRIMARY KEY,
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    recorded_at   INTEGER NOT NULL,
    recorded_at_source TEXT NOT NULL,
    ingested_at   INTEGER NOT NULL,
    duration_ms   INTEGER NOT NULL,
    frame_count   INTEGER NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    container     TEXT NOT NULL,
    video_codec   TEXT NOT NULL,
    status        TEXT NOT NULL,                -- decision at deletion
    restricted    INTEGER NOT NULL,             -- its audit stays hidden as the recording was
    rule          TEXT NOT NULL,                -- the retention rule applied
    deleted_by    TEXT NOT NULL,                -- user, or "retention" for automatic sweeps
    deleted_at    INTEGER NOT NULL,
    vault_name    TEXT NOT NULL,
    vault_removed INTEGER NOT NULL DEFAULT 0    -- 1 once the vault file is gone
) STRICT;
CREATE INDEX deletions_by_sha256 ON deletions(sha256);

-- Decisions made before this version (none) would be 'unreviewed'; the
-- list snapshot format changes (held), so drop the old one.
DELETE FROM list_cache;
