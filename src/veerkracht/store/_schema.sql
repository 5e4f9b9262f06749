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
    geometry      BLOB NOT NULL,      -- WKB, EPSG:28992
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
