-- The last document number given out in each year (Beijing time): numbers run 000001, 000002, ... per year, as a
-- traffic police unit numbers its 认定书 (Documents/DocumentStore.NextNumberAsync).
CREATE TABLE document_numbers (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);
