// A small record beside the store ($DEVMESH_HOME/store.json) that the store holds data: written once the
// store has its schema, it lets a later start tell "a new home" (no marker: start an empty store) from "the
// store shrank to nothing" (missing, zero bytes, no tables: refuse, and name `devmesh doctor`), which would
// otherwise start silently empty and lose the registry, the agents, the tasks and the audit chain.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

const MarkerSchema = z.object({
  /** the store held tables (and so, possibly, data) */
  heldData: z.literal(true),
  /** the schema version last seen */
  schema: z.number().int(),
  /** when the store was first seen with its schema */
  since: z.number(),
});
export type StoreMarkerData = z.infer<typeof MarkerSchema>;

export class StoreMarker {
  constructor(readonly path: string) {}

  /** The marker, or null when there is none; an unreadable one counts as present (fail safe). */
  read(): StoreMarkerData | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return { heldData: true, schema: 0, since: 0 };
    }
    try {
      const parsed = MarkerSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // torn or edited: still says the store was there
    }
    return { heldData: true, schema: 0, since: 0 };
  }

  /** Records the schema the store has now (kept `since` from the first time). */
  write(schema: number): void {
    const prior = this.read();
    if (prior && prior.schema === schema && prior.since > 0) return;
    const since = prior && prior.since > 0 ? prior.since : Date.now();
    const data: StoreMarkerData = { heldData: true, schema, since };
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(data)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  /** Forgets that the store held data (`devmesh doctor --fresh`: an empty store is wanted). */
  clear(): void {
    rmSync(this.path, { force: true });
  }
}
