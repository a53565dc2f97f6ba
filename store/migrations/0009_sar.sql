-- Subject access requests (SARs, Data Protection Act 2018 / UK GDPR):
-- a member of the public asks for footage of themselves. A SAR has a
-- sequential id (shown as SAR-<id>), the subject's name (sealed, AD
-- sars.subject|<id>), the day it was received and the day it is due
-- (one calendar month later, app.SARDueDate), its recordings and
-- redaction projects, and its status. Days are calendar dates,
-- 'YYYY-MM-DD' (not instants); instants are Unix ms UTC.
CREATE TABLE sars (
    id              INTEGER PRIMARY KEY,         -- 1, 2, ... (SAR-1, SAR-2, ...)
    subject         BLOB NOT NULL,               -- sealed, AD sars.subject|<id>
    received        TEXT NOT NULL,               -- YYYY-MM-DD
    due             TEXT NOT NULL,               -- YYYY-MM-DD
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'responded', 'closed')),
    created_by      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    responded_by    TEXT NOT NULL DEFAULT '',
    responded_at    INTEGER NOT NULL DEFAULT 0,  -- 0 = not responded
    bundle_id       TEXT NOT NULL DEFAULT '',    -- the response: an export bundle's id
    manifest_sha256 TEXT NOT NULL DEFAULT '',    -- and its manifest.json's SHA-256
    closed_by       TEXT NOT NULL DEFAULT '',
    closed_at       INTEGER NOT NULL DEFAULT 0,  -- 0 = not closed
    CHECK (received GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND due > received)
) STRICT;
CREATE INDEX sars_open ON sars(due) WHERE status = 'open';

-- The recordings of a SAR. No foreign key to recordings: the link is a
-- record of what the request covered and outlives a deleted recording
-- (whose deletions row still says whether it was restricted; a SAR about
-- a restricted recording is visible only to who may see it).
CREATE TABLE sar_recordings (
    sar_id       INTEGER NOT NULL REFERENCES sars(id),
    recording_id TEXT NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     INTEGER NOT NULL,
    PRIMARY KEY (sar_id, recording_id)
) STRICT;
CREATE INDEX sar_recordings_by_recording ON sar_recordings(recording_id);

-- The redaction projects of a SAR, by id, with the project's recording
-- (also in sar_recordings). No foreign key to redaction_projects (0008):
-- a project goes with its recording (ON DELETE CASCADE), and a key here
-- would either block that deletion or erase the SAR's record of what it
-- covered. The application checks the project through its gated use case
-- (Library.RedactionProject) when linking it.
CREATE TABLE sar_projects (
    sar_id       INTEGER NOT NULL REFERENCES sars(id),
    project_id   TEXT NOT NULL,
    recording_id TEXT NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     INTEGER NOT NULL,
    PRIMARY KEY (sar_id, project_id)
) STRICT;
