-- A sealed snapshot of the library listing, so listing a large store does
-- not read and decrypt every row. Triggers bump list_state.generation on
-- every change to recordings; a snapshot is used only while its generation
-- is the current one, so no writer has to remember to maintain it.

CREATE TABLE list_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
) STRICT;
INSERT INTO list_state (id, generation) VALUES (1, 0);

CREATE TABLE list_cache (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL,
    data       BLOB NOT NULL            -- sealed, AD list_cache|<generation>
) STRICT;

CREATE TRIGGER recordings_list_ins AFTER INSERT ON recordings
BEGIN UPDATE list_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER recordings_list_upd AFTER UPDATE ON recordings
BEGIN UPDATE list_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER recordings_list_del AFTER DELETE ON recordings
BEGIN UPDATE list_state SET generation = generation + 1 WHERE id = 1; END;
