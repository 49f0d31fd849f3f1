// What the desktop app remembers between launches, in <home>/app-state.json: the projects to reopen, the
// "Start at login" choice, and the notices already given once. The file is the user's (they may edit or delete it), so it is parsed with a
// schema and a broken file falls back to the defaults instead of stopping the app.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const MAX_RECENT = 50;

const AppStateSchema = z.object({
  /** project roots, most recently opened first */
  recentProjects: z.array(z.string().min(1).max(4096)).default([]),
  startAtLogin: z.boolean().default(false),
  /** the user was told that, without a tray, closing the window minimizes DevMesh */
  noTrayNoticeShown: z.boolean().default(false),
});
export type AppState = z.infer<typeof AppStateSchema>;

export class AppStateStore {
  readonly path: string;
  private state: AppState;

  constructor(
    homeDir: string,
    private readonly onProblem: (message: string) => void = () => {},
  ) {
    this.path = join(homeDir, 'app-state.json');
    this.state = this.load();
  }

  get recentProjects(): readonly string[] {
    return this.state.recentProjects;
  }

  get startAtLogin(): boolean {
    return this.state.startAtLogin;
  }

  get noTrayNoticeShown(): boolean {
    return this.state.noTrayNoticeShown;
  }

  setNoTrayNoticeShown(): void {
    this.update({ noTrayNoticeShown: true });
  }

  /** Puts a project root first in the recent list (once). */
  addRecentProject(root: string): void {
    const rest = this.state.recentProjects.filter((r) => r !== root);
    this.update({ recentProjects: [root, ...rest].slice(0, MAX_RECENT) });
  }

  removeRecentProject(root: string): void {
    if (!this.state.recentProjects.includes(root)) return;
    this.update({ recentProjects: this.state.recentProjects.filter((r) => r !== root) });
  }

  setStartAtLogin(enabled: boolean): void {
    this.update({ startAtLogin: enabled });
  }

  private update(patch: Partial<AppState>): void {
    this.state = { ...this.state, ...patch };
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(this.state, null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, this.path);
    } catch (err) {
      // The app keeps working with the in-memory state; the user learns why it will not be remembered.
      this.onProblem(`could not save ${this.path}: ${(err as Error).message}`);
    }
  }

  private load(): AppState {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.onProblem(`could not read ${this.path}: ${(err as Error).message}`);
      return AppStateSchema.parse({});
    }
    try {
      const parsed = AppStateSchema.safeParse(JSON.parse(text));
      if (parsed.success) return { ...parsed.data, recentProjects: parsed.data.recentProjects.slice(0, MAX_RECENT) };
      this.onProblem(`${this.path} is invalid (${parsed.error.issues[0]?.message ?? 'bad shape'}); using defaults`);
    } catch (err) {
      this.onProblem(`${this.path} is not JSON (${(err as Error).message}); using defaults`);
    }
    return AppStateSchema.parse({});
  }
}
