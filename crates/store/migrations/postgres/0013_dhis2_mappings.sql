-- DHIS2 identifiers of dxplan's indicators (data elements) and units (org units), for
-- exchanging figures in the dataValueSets layout. Unmapped codes pass as they are.
CREATE TABLE dhis2_mappings (
    -- data_element | org_unit
    kind       TEXT NOT NULL,
    local_code TEXT NOT NULL,
    dhis2_id   TEXT NOT NULL,
    PRIMARY KEY (kind, local_code),
    UNIQUE (kind, dhis2_id)
);
