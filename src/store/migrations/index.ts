import type { Db } from '../types.js';
import * as m001 from './001_core.js';
import * as m002 from './002_signal.js';
import * as m003 from './003_search.js';
import * as m004 from './004_prekey_ages.js';
import * as m005 from './005_hot_paths.js';
import * as m006 from './006_messaging.js';
import * as m007 from './007_files.js';
import * as m008 from './008_file_extras.js';

/** Every migration in order; migration N takes schema N-1 to N. Never edit one that has shipped. */
export const MIGRATIONS: ReadonlyArray<{ version: number; up: (db: Db) => void }> = [
  { version: 1, up: m001.up },
  { version: 2, up: m002.up },
  { version: 3, up: m003.up },
  { version: 4, up: m004.up },
  { version: 5, up: m005.up },
  { version: 6, up: m006.up },
  { version: 7, up: m007.up },
  { version: 8, up: m008.up },
];
