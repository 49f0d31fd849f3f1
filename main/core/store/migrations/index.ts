// Migrations in order; the position (1-based) is the schema version. Append, never edit a shipped one.
import type BetterSqlite3 from 'better-sqlite3';
import { migration001 } from './001-initial.js';
import { migration002 } from './002-proxy-requests.js';
import { migration003 } from './003-version-alerts.js';
import { migration004 } from './004-request-edges.js';
import { migration005 } from './005-agents.js';
import { migration006 } from './006-audit.js';
import { migration007 } from './007-tasks.js';
import { migration008 } from './008-messages-state.js';
import { migration009 } from './009-runs-terminals.js';
import { migration010 } from './010-team-messages.js';
import { migration011 } from './011-reminders.js';
import { migration012 } from './012-usage.js';
import { migration013 } from './013-agent-supervision.js';
import { migration014 } from './014-tcp-addresses.js';
import { migration015 } from './015-database-snapshots.js';
import { migration016 } from './016-log-search.js';
import { migration017 } from './017-process-metrics.js';
import { migration018 } from './018-service-stop.js';

export interface Migration {
  name: string;
  up(db: BetterSqlite3.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
  migration012,
  migration013,
  migration014,
  migration015,
  migration016,
  migration017,
  migration018,
];
