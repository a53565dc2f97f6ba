-- Redaction projects (issue 12): what to hide in a new derivative of a
-- recording, never in the master. Versioned like annotations: every saved
-- change adds a project version, and each item changed by it (track,
-- whole-frame range, audio range, proposal) gets a new row at that
-- version; nothing is overwritten. The state at version v is, per item,
-- its newest row with version <= v unless that row has deleted = 1.
-- Reasons are sealed with the fields key, bound to their row. Projects go
-- with their recording (ON DELETE CASCADE) and are seen by who may see it.
CREATE TABLE redaction_projects (
    id           TEXT PRIMARY KEY,              -- 10 chars, same alphabet as recording ids
    recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    frame_from   INTEGER NOT NULL,              -- frames covered, inclusive, 0-based
    frame_to     INTEGER NOT NULL,
    version      INTEGER NOT NULL,              -- current version: 1 at creation
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,              -- Unix ms UTC
    CHECK (frame_from >= 0 AND frame_to >= frame_from AND version >= 1)
) STRICT;
CREATE INDEX redaction_projects_by_recording ON redaction_projects(recording_id);

-- One row per version: who saved it, when, and what changed, by ids only
-- (the same words as its audit entry; never free text).
CREATE TABLE redaction_versions (
    project_id TEXT NOT NULL REFERENCES redaction_projects(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    change     TEXT NOT NULL,
    author     TEXT NOT NULL,
    at         INTEGER NOT NULL,                -- Unix ms UTC
    PRIMARY KEY (project_id, version)
) STRICT;

-- Tracks: ids T1, T2, ... per project. reason sealed, AD
-- redaction_tracks.reason|<project>|<id>|<version>. end_frame below the
-- last keyframe means "the last keyframe". keyframes holds all of this
-- version's keyframes in one value (a changed track is written whole):
-- format byte 1, uvarint count, then per keyframe the uvarint frame
-- (the first absolute, then the step from the previous one) and X, Y, W,
-- H as zig-zag varints. One value instead of a row per keyframe: reading
-- a project of 30,000 keyframes is one row per track.
CREATE TABLE redaction_tracks (
    project_id TEXT NOT NULL REFERENCES redaction_projects(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    shape      TEXT NOT NULL CHECK (shape IN ('rect', 'ellipse')),
    method     TEXT NOT NULL CHECK (method IN ('solid', 'pixelate', 'blur')),
    block      INTEGER NOT NULL CHECK (block >= 0),
    label      TEXT NOT NULL,
    reason     BLOB NOT NULL,
    end_frame  INTEGER NOT NULL,
    keyframes  BLOB NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,                   -- of the track (its first version)
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id, version)
) STRICT;

-- Whole-frame ranges: ids F1, F2, ...; reason sealed, AD
-- redaction_frames.reason|<project>|<id>|<version>.
CREATE TABLE redaction_frames (
    project_id TEXT NOT NULL REFERENCES redaction_projects(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    frame_from INTEGER NOT NULL,
    frame_to   INTEGER NOT NULL,
    method     TEXT NOT NULL CHECK (method IN ('solid', 'blur')),
    reason     BLOB NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id, version)
) STRICT;

-- Audio ranges: ids A1, A2, ...; media time in microseconds, [from, to);
-- reason sealed, AD redaction_audio.reason|<project>|<id>|<version>.
CREATE TABLE redaction_audio (
    project_id TEXT NOT NULL REFERENCES redaction_projects(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    from_us    INTEGER NOT NULL,
    to_us      INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('mute', 'bleep')),
    reason     BLOB NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id, version)
) STRICT;

-- Face proposals: ids P1, P2, ...; a new version when the state changes.
-- detections (fixed when the proposal is saved, copied into each version):
-- format byte 1, uvarint count, then per detection the uvarint frame (the
-- first absolute, then the step), X, Y, W, H as zig-zag varints and the
-- score as a big-endian IEEE 754 float32.
CREATE TABLE redaction_proposals (
    project_id TEXT NOT NULL REFERENCES redaction_projects(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    track_id   TEXT NOT NULL DEFAULT '',        -- the track made from it once accepted
    detections BLOB NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,      -- replaced by a later detection run
    PRIMARY KEY (project_id, id, version)
) STRICT;

-- Derivatives gain the kind 'redacted', made from a redaction project at
-- a version. SQLite cannot change a CHECK, so the table is rebuilt (no
-- other table, index or trigger refers to it).
CREATE TABLE derivatives_new (
    id                TEXT PRIMARY KEY,
    ref               TEXT NOT NULL UNIQUE,         -- <recording id>-C<seq>, or -R<seq> for a redacted copy
    recording_id      TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    seq               INTEGER NOT NULL,
    master_sha256     TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('clip-court', 'clip-lossless', 'redacted')),
    frame_from        INTEGER NOT NULL,
    frame_to          INTEGER NOT NULL,
    sha256            TEXT NOT NULL,
    size              INTEGER NOT NULL,
    recipe            TEXT NOT NULL,
    frame_hash        BLOB NOT NULL,
    master_frame_hash BLOB NOT NULL,
    frame_map         TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    vault_name        TEXT NOT NULL,
    vault_size        INTEGER NOT NULL,
    data_key          BLOB NOT NULL,
    redaction_id      TEXT NOT NULL DEFAULT '',     -- the redaction project of a 'redacted' copy
    redaction_version INTEGER NOT NULL DEFAULT 0,   -- the project version it drew
    UNIQUE (recording_id, seq),
    CHECK (frame_from >= 0 AND frame_to >= frame_from),
    CHECK ((kind = 'redacted') = (redaction_id <> '' AND redaction_version >= 1))
) STRICT;
INSERT INTO derivatives_new (id, ref, recording_id, seq, master_sha256, kind, frame_from, frame_to, sha256, size,
    recipe, frame_hash, master_frame_hash, frame_map, created_by, created_at, vault_name, vault_size, data_key)
    SELECT id, ref, recording_id, seq, master_sha256, kind, frame_from, frame_to, sha256, size,
    recipe, frame_hash, master_frame_hash, frame_map, created_by, created_at, vault_name, vault_size, data_key
    FROM derivatives;
DROP TABLE derivatives;
ALTER TABLE derivatives_new RENAME TO derivatives;
