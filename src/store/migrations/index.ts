import * as m0001 from './0001-knowledge-base.js';
import * as m0002 from './0002-conversations.js';
import * as m0003 from './0003-api-tokens.js';
import * as m0004 from './0004-kb-terms-trigram.js';
import * as m0005 from './0005-personality-weight-double.js';
import * as m0006 from './0006-passages-technique-tsv.js';
import * as m0007 from './0007-kb-terms-trigram-partial.js';
import * as m0008 from './0008-conversation-activity.js';
import * as m0009 from './0009-turn-event-ids.js';
import * as m0010 from './0010-creator-genre-keys.js';

export interface Migration {
  name: string;
  sql: string;
}

/** In order; a migration, once released, is never edited: add the next one instead. */
export const migrations: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010];
