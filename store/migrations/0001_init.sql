-- Exhibit store schema, version 1.
-- Times are Unix milliseconds, UTC. Personal data and free text live only in
-- sealed (encrypted) BLOB columns; plain columns hold what queries need.

CREATE TABLE recordings (
    id                 TEXT PRIMARY KEY,            -- short typeable id, e.g. 7KQX2MPD
    sha256             TEXT NOT NULL UNIQUE,        -- hex SHA-256 of the untouched master
    size               INTEGER NOT NULL,            -- master size in bytes
    recorded_at        INTEGER NOT NULL,            -- wall-clock time of the first frame
    recorded_at_source TEXT NOT NULL,               -- sidecar | container | mtime
    ingested_at        INTEGER NOT NULL,
    duration_ms        INTEGER NOT NULL,
    frame_count        INTEGER NOT NULL,
    width              INTEGER NOT NULL,
    height             INTEGER NOT NULL,
    fps_num            INTEGER NOT NULL,
    fps_den            INTEGER NOT NULL,
    container          TEXT NOT NULL,
    video_codec        TEXT NOT NULL,
    audio_codec        TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'unreviewed',
    restricted         INTEGER NOT NULL DEFAULT 0,
    vault_name         TEXT NOT NULL UNIQUE,        -- file name under vault/
    vault_size         INTEGER NOT NULL,            -- encrypted size in bytes
    data_key           BLOB NOT NULL,               -- data key sealed by the master key
    personal           BLOB NOT NULL                -- sealed JSON: officer, device, GPS, source name
) STRICT;

CREATE INDEX recordings_by_recorded_at ON recordings(recorded_at, id);
CREATE INDEX recordings_by_status ON recordings(status, recorded_at, id);

-- Frame table of each recording: compact binary (see app/media FrameTable).
CREATE TABLE frame_tables (
    recording_id TEXT PRIMARY KEY REFERENCES recordings(id) ON DELETE CASCADE,
    data         BLOB NOT NULL
) STRICT;

-- Thumbnails show people: sealed like personal data.
CREATE TABLE thumbnails (
    recording_id TEXT PRIMARY KEY REFERENCES recordings(id) ON DELETE CASCADE,
    image        BLOB NOT NULL
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
