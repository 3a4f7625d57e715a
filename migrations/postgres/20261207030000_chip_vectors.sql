-- Sentence vectors of published chips (title, category, process node, tags and
-- description), for search by meaning. `vector` holds DIM little-endian f32 values;
-- `stamp` (microseconds since the epoch) lets every process load only what is new.
CREATE TABLE chip_vectors (
    chip_id UUID PRIMARY KEY REFERENCES chips (id) ON DELETE CASCADE,
    model   TEXT NOT NULL,
    vector  BYTEA NOT NULL,
    stamp   BIGINT NOT NULL
);
CREATE INDEX chip_vectors_stamp ON chip_vectors (stamp);
