// A database engine DevMesh cannot find on this machine (postgres, redis-server): what was looked for, where,
// and how to install it. A service whose engine is missing has no version (never a made-up 0.0.0): the faces
// show this instead, in the services table, `devmesh status`, `devmesh db status` and the database card.
import { z } from 'zod';

export const EngineMissingSchema = z.object({
  engine: z.enum(['postgres', 'redis']),
  /** the server program looked for: `postgres`, `redis-server` */
  program: z.string(),
  /** the folders searched, in order: PATH's, then the engine's standard locations (`*`: any version folder) */
  lookedIn: z.array(z.string()),
  /** the Debian/Ubuntu package that installs it: `postgresql`, `redis-server` */
  debianPackage: z.string(),
  /** the Homebrew formula that installs it: `postgresql@16`, `redis` */
  brewFormula: z.string(),
  /** all of it in one message: which service, what is missing, where DevMesh looked, the install commands */
  message: z.string(),
});
export type EngineMissing = z.infer<typeof EngineMissingSchema>;
