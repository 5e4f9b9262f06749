-- The tables of a schema-1 store that its upgrade reads (frozen copy; do not update).
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE SEQUENCE IF NOT EXISTS import_ids START 1;

-- Provenance: one row per imported file or download.
CREATE TABLE IF NOT EXISTS imports (
    import_id     INTEGER PRIMARY KEY,
    dataset_key   VARCHAR NOT NULL,   -- veerkracht key, e.g. cbs_kwb
    publisher     VARCHAR NOT NULL,   -- CBS, RIVM, Min. BZK, ...
    dataset_id    VARCHAR,            -- official id, e.g. 83765NED
    title         VARCHAR,
    licence       VARCHAR,
    url           VARCHAR,
    reader        VARCHAR NOT NULL,
    file_name     VARCHAR NOT NULL,
    file_path     VARCHAR,
    file_hash     VARCHAR NOT NULL,
    retrieved_at  TIMESTAMP,          -- download time, or file mtime for local files
    imported_at   TIMESTAMP NOT NULL,
    periods       INTEGER[],
    editions      INTEGER[],
    n_values      BIGINT,
    n_geometries  BIGINT,
    missing       VARCHAR,            -- JSON {period: [variables]}
    notes         VARCHAR             -- JSON list of notes
);

-- Long-format values.
CREATE TABLE IF NOT EXISTS "values" (
    region_code  VARCHAR NOT NULL,
    level        VARCHAR NOT NULL,
    edition      INTEGER NOT NULL,
    period       INTEGER NOT NULL,
    variable     VARCHAR NOT NULL,
    value        DOUBLE,
    status       VARCHAR NOT NULL,    -- ok | geheim | leeg
    dataset_key  VARCHAR NOT NULL,
    import_id    INTEGER NOT NULL
);
