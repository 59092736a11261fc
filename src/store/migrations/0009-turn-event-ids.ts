export const name = '0009-turn-event-ids';

// A finished turn replays from the database once the event log has let it go (SPEC §1: replayed
// events keep their ids). `token_ends` holds, for each token event in order, the length of the
// answer after it: the events' seqs and texts follow (sources 1, tokens 2…, then done or error).
// `error_code` is the code the stream's error event sent. Turns stored before this have neither.
export const sql = `
ALTER TABLE turns ADD COLUMN token_ends integer[], ADD COLUMN error_code text;
`;
