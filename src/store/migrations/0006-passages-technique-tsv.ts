export const name = '0006-passages-technique-tsv';

// The words of a passage's technique (weight A) alone, indexed: retrieval's first pass finds the
// passages whose technique holds the question, cheaply, and their scores raise the bar the full
// search must clear (src/retrieval/full-text-search.ts).
export const sql = `
ALTER TABLE passages ADD COLUMN technique_tsv tsvector GENERATED ALWAYS AS (ts_filter(tsv, '{a}')) STORED;
CREATE INDEX passages_technique_tsv_idx ON passages USING gin (technique_tsv);
`;
