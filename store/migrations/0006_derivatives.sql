-- Derivatives: clips (court-playable and lossless) made from a master.
-- Each is a new exhibit with its own reference, stored encrypted in the
-- vault like a master (own data key, sealed with AD
-- derivatives.data_key|<id>). It goes with its recording (ON DELETE
-- CASCADE; the vault file is removed after the deletion commits, see
-- derivative_deletions). Visibility follows the parent recording.
CREATE TABLE derivatives (
    id                TEXT PRIMARY KEY,             -- 10 chars, same alphabet as recording ids
    ref               TEXT NOT NULL UNIQUE,         -- exhibit reference: <recording id>-C<seq>
    recording_id      TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    seq               INTEGER NOT NULL,             -- 1, 2, ... per recording
    master_sha256     TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('clip-court', 'clip-lossless')),
    frame_from        INTEGER NOT NULL,             -- 0-based master frames, inclusive
    frame_to          INTEGER NOT NULL,
    sha256            TEXT NOT NULL,                -- of the clip file
    size              INTEGER NOT NULL,
    recipe            TEXT NOT NULL,                -- JSON {"tool": ffmpeg -version line, "args": [...]}
    frame_hash        BLOB NOT NULL,                -- ffmpeg framehash (sha256) of the clip's decoded video
    master_frame_hash BLOB NOT NULL,                -- the same of master frames frame_from..frame_to
    frame_map         TEXT NOT NULL,                -- JSON list: master frame of each clip frame
    created_by        TEXT NOT NULL,
    created_at        INTEGER NOT NULL,             -- Unix ms UTC
    vault_name        TEXT NOT NULL,
    vault_size        INTEGER NOT NULL,
    data_key          BLOB NOT NULL,                -- sealed
    UNIQUE (recording_id, seq),
    CHECK (frame_from >= 0 AND frame_to >= frame_from)
) STRICT;

-- The derivatives that went with a deleted recording: their vault files
-- are removed after the deletion commits (a crash in between leaves a
-- file whose key is gone; the next sweep removes it). Hashes only.
CREATE TABLE derivative_deletions (
    id            TEXT PRIMARY KEY,
    ref           TEXT NOT NULL,
    recording_id  TEXT NOT NULL,
    kind          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    vault_name    TEXT NOT NULL,
    vault_removed INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX derivative_deletions_by_recording ON derivative_deletions(recording_id);
