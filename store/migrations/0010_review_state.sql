-- Per-user review state. Not evidence: not audited, never shown to other
-- users, and gone with the recording.

-- Preferences of one user, such as the folder stills are saved to.
CREATE TABLE user_prefs (
    user_name  TEXT NOT NULL,                    -- lower case, as users.name
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (user_name, key)
) STRICT;

-- Where each user last left each recording (the review offers to resume).
CREATE TABLE resume_positions (
    user_name    TEXT NOT NULL,
    recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    frame        INTEGER NOT NULL CHECK (frame >= 0),
    updated_at   INTEGER NOT NULL,               -- Unix ms
    PRIMARY KEY (user_name, recording_id)
) STRICT;

-- Audio waveforms (peak levels, decoded once): they show when people
-- speak or shout, so they are sealed like thumbnails.
CREATE TABLE waveforms (
    recording_id TEXT PRIMARY KEY REFERENCES recordings(id) ON DELETE CASCADE,
    peaks        BLOB NOT NULL
) STRICT;
