// GPU memory per process from `nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits`,
// where nvidia-smi exists. Absent (no NVIDIA driver): said once by `available`, then asked again only every
// RETRY_MS (a driver installed later is found without a restart). A slow or failing nvidia-smi costs one
// sample's GPU figures, never the sample.
import { execFile } from 'node:child_process';
import { stripPackagingEnv } from '../environment/packaging-env.js';

const RETRY_MS = 10 * 60_000;

/** pid → bytes, from nvidia-smi's csv (used_memory in MiB) */
export function parseComputeApps(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    const [pid, mib] = line.split(',').map((s) => s.trim());
    const p = Number(pid);
    const m = Number(mib);
    if (Number.isInteger(p) && p > 0 && Number.isFinite(m)) out.set(p, (out.get(p) ?? 0) + m * 1024 * 1024);
  }
  return out;
}

export interface GpuReaderDeps {
  /** the command (tests point it elsewhere); default nvidia-smi on PATH */
  command?: string;
  now?: () => number;
}

export class GpuReader {
  private absentSince: number | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: GpuReaderDeps = {}) {
    this.now = deps.now ?? Date.now;
  }

  /** did nvidia-smi answer last time it was asked? */
  get available(): boolean {
    return this.absentSince === null;
  }

  /** GPU memory per pid; null where nvidia-smi is absent or failed. */
  async read(): Promise<Map<number, number> | null> {
    if (this.absentSince !== null && this.now() - this.absentSince < RETRY_MS) return null;
    try {
      const text = await new Promise<string>((resolve, reject) =>
        execFile(
          this.deps.command ?? 'nvidia-smi',
          ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'],
          { encoding: 'utf8', timeout: 3000, maxBuffer: 1024 * 1024, env: stripPackagingEnv(process.env) },
          (err, stdout) => (err ? reject(new Error(err.message, { cause: err })) : resolve(stdout)),
        ),
      );
      this.absentSince = null;
      return parseComputeApps(text);
    } catch {
      this.absentSince = this.now(); // not installed, no driver, or timed out: no GPU figures for a while
      return null;
    }
  }
}
