-- veerkracht store schema. Region codes are always stored with their boundary edition.
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

-- Long-format values. Stored lean (integer keys, status code, dataset via import_id):
-- a national build writes millions of rows, and strings repeated per row made the
-- insert the slowest step. Read them through the view "values" below.
CREATE TABLE IF NOT EXISTS region_keys (
    region_id    INTEGER PRIMARY KEY,
    region_code  VARCHAR NOT NULL,
    level        VARCHAR NOT NULL,
    UNIQUE (region_code, level)
);

CREATE TABLE IF NOT EXISTS variable_keys (
    variable_id  INTEGER PRIMARY KEY,
    variable     VARCHAR NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS value_rows (
    region_id    INTEGER NOT NULL,    -- region_keys
    edition      INTEGER NOT NULL,
    period       INTEGER NOT NULL,
    variable_id  INTEGER NOT NULL,    -- variable_keys
    value        DOUBLE,
    status       UTINYINT NOT NULL,   -- 0 ok | 1 geheim | 2 leeg
    import_id    INTEGER NOT NULL     -- imports (and through it the dataset)
);

-- row_order: the stored order (file by file, each in its own row order). Joins and
-- parallel scans do not keep it; Store.values sorts on it.
CREATE OR REPLACE VIEW values_in_order AS
SELECT r.region_code, r.level, v.edition, v.period, k.variable, v.value,
       CASE v.status WHEN 0 THEN 'ok' WHEN 1 THEN 'geheim' ELSE 'leeg' END AS status,
       i.dataset_key, v.import_id, v.rowid AS row_order
FROM value_rows v
JOIN region_keys r ON r.region_id = v.region_id
JOIN variable_keys k ON k.variable_id = v.variable_id
LEFT JOIN imports i ON i.import_id = v.import_id;  -- LEFT: never hide a stored value

CREATE OR REPLACE VIEW "values" AS SELECT * EXCLUDE (row_order) FROM values_in_order;

CREATE TABLE IF NOT EXISTS variables (
    variable     VARCHAR PRIMARY KEY,
    label        VARCHAR NOT NULL,
    unit         VARCHAR,
    kind         VARCHAR NOT NULL,
    denominator  VARCHAR,
    dataset_key  VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS regions (
    region_code   VARCHAR NOT NULL,
    level         VARCHAR NOT NULL,
    edition       INTEGER NOT NULL,
    name          VARCHAR,
    gemeente_code VARCHAR,
    import_id     INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS geometries (
    region_code   VARCHAR NOT NULL,
    level         VARCHAR NOT NULL,
    edition       INTEGER NOT NULL,
    name          VARCHAR,
    gemeente_code VARCHAR,
    source_key    VARCHAR NOT NULL,
    -- WKB, EPSG:28992; not compressed: coordinates barely compress and the analysis
    -- made checkpoints of a national boundary file ten times slower
    geometry      BLOB NOT NULL USING COMPRESSION uncompressed,
    area_m2       DOUBLE,
    minx DOUBLE, miny DOUBLE, maxx DOUBLE, maxy DOUBLE,
    import_id     INTEGER NOT NULL
);

-- Published code crosswalks between boundary editions (weight = share of from_code).
CREATE TABLE IF NOT EXISTS crosswalks (
    from_code     VARCHAR NOT NULL,
    from_edition  INTEGER NOT NULL,
    to_code       VARCHAR NOT NULL,
    to_edition    INTEGER NOT NULL,
    weight        DOUBLE NOT NULL,
    import_id     INTEGER NOT NULL
);

-- Values translated to a reference edition (written by harmonisation).
CREATE TABLE IF NOT EXISTS translated_values (
    region_code     VARCHAR NOT NULL,
    level           VARCHAR NOT NULL,
    edition         INTEGER NOT NULL,   -- the reference (target) edition
    source_edition  INTEGER NOT NULL,
    period          INTEGER NOT NULL,
    variable        VARCHAR NOT NULL,
    value           DOUBLE,
    status          VARCHAR NOT NULL,
    method          VARCHAR NOT NULL,   -- identiek | kruistabel | overlap | pc4-overlap | pc4-postcode
    share_split     DOUBLE,             -- share of the value that came from split source regions
    share_merged    DOUBLE,             -- share that came from regions merged into this one
    dataset_key     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS translation_errors (
    gemeente_code   VARCHAR NOT NULL,
    variable        VARCHAR NOT NULL,
    period          INTEGER NOT NULL,
    source_edition  INTEGER NOT NULL,
    edition         INTEGER NOT NULL,
    method          VARCHAR NOT NULL,
    total_before    DOUBLE,
    total_after     DOUBLE,
    relative_error  DOUBLE,
    n_source        INTEGER,
    n_unmatched     INTEGER,
    created_at      TIMESTAMP NOT NULL
);
