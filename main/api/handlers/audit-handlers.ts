// audit.*: reading and verifying the chain (decisions reach it where they are made, not through the API).
import type { AuditLog } from '../../core/audit/audit-log.js';
import type { HandlersOf } from './handlers.js';

export interface AuditHandlersDeps {
  audit: Pick<AuditLog, 'list' | 'verify'>;
  /** an agent's id for its name (entries name agents by id) */
  idOf: (actor: string) => string;
  /** `$DEVMESH_HOME/audit.jsonl`, reported by verify */
  mirrorPath: string;
}

export function auditHandlers({ audit, idOf, mirrorPath }: AuditHandlersDeps): HandlersOf<'audit'> {
  return {
    'audit.list': (i) => audit.list(i.actor === undefined ? i : { ...i, actor: idOf(i.actor) }),
    'audit.verify': async () => {
      const started = performance.now();
      const result = await audit.verify();
      return { ...result, mirrorPath, ms: performance.now() - started };
    },
  };
}
