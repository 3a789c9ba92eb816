-- Evidence files behind reported figures (indicators that require evidence refuse a
-- submission without one). Bytes live on disk by SHA-256, as for task attachments.
CREATE TABLE data_value_files (
    id            INTEGER PRIMARY KEY,
    data_value_id INTEGER NOT NULL REFERENCES data_values (id),
    sha256        TEXT NOT NULL,
    size          BIGINT NOT NULL CHECK (size > 0),
    kind          TEXT NOT NULL,
    original_name TEXT NOT NULL,
    uploaded_by   INTEGER,
    uploader_name TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX data_value_files_value ON data_value_files (data_value_id, id);
