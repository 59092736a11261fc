export const name = '0005-personality-weight-double';

// real (float4) underflows on weights like 1e-297, which the API accepts as within 0..1: store
// the weight exactly as accepted.
export const sql = `ALTER TABLE turns ALTER COLUMN personality_weight TYPE double precision;`;
