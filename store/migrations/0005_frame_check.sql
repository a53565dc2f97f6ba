-- Frame tables built at ingest from the demuxer's packets are checked
-- later by decoding the stored copy (the background frame check):
--   pending    the table is from packets and not yet checked
--   checked    a decode confirmed it (tables from before this version were
--              read by decoding, so they start checked)
--   corrected  a decode disagreed and its table replaced the packet table
--   failed     the stored copy could not be decoded to check it
ALTER TABLE recordings ADD COLUMN frame_check TEXT NOT NULL DEFAULT 'checked'
    CHECK (frame_check IN ('pending', 'checked', 'corrected', 'failed'));
CREATE INDEX recordings_frame_check ON recordings(frame_check, ingested_at)
    WHERE frame_check IN ('pending', 'failed');
