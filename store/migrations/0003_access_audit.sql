-- Users, roles and the tamper-evident audit trail.

-- Local accounts. Passwords are Argon2id hashes with their parameters.
CREATE TABLE users (
    name            TEXT PRIMARY KEY,            -- lower case
    role            TEXT NOT NULL CHECK (role IN ('admin', 'sergeant', 'psd', 'viewer')),
    pw_hash         BLOB NOT NULL,
    pw_salt         BLOB NOT NULL,
    pw_time         INTEGER NOT NULL,            -- Argon2id passes
    pw_memory       INTEGER NOT NULL,            -- KiB
    pw_threads      INTEGER NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0,
    failures        INTEGER NOT NULL DEFAULT 0,  -- failed sign-ins in a row
    locked_until    INTEGER NOT NULL DEFAULT 0,  -- Unix ms; 0 = not locked
    created_at      INTEGER NOT NULL,
    changed_at      INTEGER NOT NULL
) STRICT;

-- The audit trail: append-only. Each row is a leaf of an RFC 6962 Merkle
-- tree (leaf data = the row's canonical JSON, see store/audit.go); seq is
-- the leaf index + 1.
CREATE TABLE audit (
    seq          INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,                -- Unix ms, UTC
    user         TEXT NOT NULL,
    role         TEXT NOT NULL,
    action       TEXT NOT NULL,
    recording_id TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    detail       TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_recording ON audit(recording_id, seq) WHERE recording_id != '';

-- Stored hashes of the tree (golang.org/x/mod/sumdb/tlog numbering).
CREATE TABLE audit_tree (
    idx  INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
) STRICT;

-- The signed checkpoint (a note: origin, size, root) after each append.
CREATE TABLE audit_checkpoints (
    size INTEGER PRIMARY KEY,
    note TEXT NOT NULL
) STRICT;

-- Append-only by rule: the application never changes or removes entries
-- (someone editing the file directly is caught by `exhibit audit verify`).
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
