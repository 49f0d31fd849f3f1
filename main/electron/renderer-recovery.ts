// Brings the window's page back when its renderer process dies ('render-process-gone': crashed, killed,
// out of memory) or hangs ('unresponsive' that lasts past a grace period: the hung process is killed with
// forcefullyCrashRenderer(), which Electron documents for recovering from 'unresponsive', and then reloaded
// like a crash). The services and terminals live in the main process, so a reload loses nothing.
// Each reload is logged, and once the page is back the user is told what happened. Reloads are bounded:
// after `maxReloads` within `windowMs` the window is given up (closed) with a note, instead of a crash loop;
// opening DevMesh from the tray starts afresh.
import type { Event, RenderProcessGoneDetails, WebContents } from 'electron';
import { toDisposable, type Disposable } from '../core/base/disposable.js';

type Log = (obj: object, msg?: string) => void;

export interface RendererRecoveryDeps {
  logger: { info: Log; warn: Log; error: Log };
  /** shows the user a note (the app's notification, or a message box where there are none) */
  tell(title: string, message: string): void;
  /** closes the window for good (until the user opens it again) */
  giveUp(): void;
}

export interface RendererRecoveryLimits {
  /** reloads allowed within windowMs before the window is given up */
  maxReloads: number;
  windowMs: number;
  /** how long a page may stay unresponsive before it is reloaded */
  hangGraceMs: number;
  now: () => number;
}

export const DEFAULT_RECOVERY_LIMITS: RendererRecoveryLimits = {
  maxReloads: 3,
  windowMs: 5 * 60_000,
  hangGraceMs: 20_000,
  now: () => Date.now(),
};

export class RendererRecovery {
  private readonly limits: RendererRecoveryLimits;
  /** when each recent reload happened; outlives a window, so a new window does not reset the bound */
  private readonly reloadsAt: number[] = [];

  constructor(
    private readonly deps: RendererRecoveryDeps,
    limits: Partial<RendererRecoveryLimits> = {},
  ) {
    this.limits = { ...DEFAULT_RECOVERY_LIMITS, ...limits };
  }

  /** Watches one window's page until disposed (when the window closes). */
  watch(contents: WebContents): Disposable {
    let hangTimer: NodeJS.Timeout | null = null;
    let killingHung = false;
    /** what to tell the user once the reloaded page has loaded */
    let note: string | null = null;
    const clearHang = () => {
      if (hangTimer) clearTimeout(hangTimer);
      hangTimer = null;
    };
    const onGone = (_event: Event, details: RenderProcessGoneDetails) => {
      clearHang();
      if (details.reason === 'clean-exit') return; // the page closed normally (the window is going)
      if (contents.isDestroyed()) return;
      const what = killingHung ? 'stopped responding' : `${details.reason}, exit code ${details.exitCode}`;
      killingHung = false;
      this.recover(contents, what, (text) => (note = text));
    };
    const onUnresponsive = () => {
      this.deps.logger.warn({ domain: 'app' }, 'the window stopped responding');
      hangTimer ??= setTimeout(() => {
        hangTimer = null;
        if (contents.isDestroyed()) return;
        const fields = { domain: 'app', graceMs: this.limits.hangGraceMs };
        this.deps.logger.error(fields, 'the window still does not respond: reloading it');
        killingHung = true;
        contents.forcefullyCrashRenderer(); // 'render-process-gone' follows, and reloads it
      }, this.limits.hangGraceMs);
    };
    const onResponsive = () => {
      if (hangTimer) this.deps.logger.info({ domain: 'app' }, 'the window responds again');
      clearHang();
    };
    const onLoaded = () => {
      if (note === null) return;
      const text = note;
      note = null;
      this.deps.tell('DevMesh reloaded its window', text);
    };
    contents.on('render-process-gone', onGone);
    contents.on('unresponsive', onUnresponsive);
    contents.on('responsive', onResponsive);
    contents.on('did-finish-load', onLoaded);
    return toDisposable(() => {
      clearHang();
      if (contents.isDestroyed()) return;
      contents.off('render-process-gone', onGone);
      contents.off('unresponsive', onUnresponsive);
      contents.off('responsive', onResponsive);
      contents.off('did-finish-load', onLoaded);
    });
  }

  private recover(contents: WebContents, what: string, noteOnLoad: (text: string) => void): void {
    const { maxReloads, windowMs, now } = this.limits;
    const at = now();
    while (this.reloadsAt.length > 0 && at - this.reloadsAt[0]! > windowMs) this.reloadsAt.shift();
    if (this.reloadsAt.length >= maxReloads) {
      this.reloadsAt.length = 0; // the user's next "Open DevMesh" gets a fresh budget
      const minutes = Math.round(windowMs / 60_000);
      const fields = { domain: 'app', what, reloads: maxReloads, windowMs };
      this.deps.logger.error(fields, 'the window keeps failing: closing it');
      this.deps.giveUp();
      this.deps.tell(
        'The DevMesh window keeps crashing',
        `Its page failed ${maxReloads + 1} times in ${minutes} minutes (last: ${what}), so DevMesh closed it ` +
          'instead of reloading it again. Your services keep running. Open DevMesh from the tray to try again; ' +
          'app.log has the details.',
      );
      return;
    }
    this.reloadsAt.push(at);
    const fields = { domain: 'app', what, reload: this.reloadsAt.length, of: maxReloads };
    this.deps.logger.warn(fields, 'the window failed: reloading it');
    noteOnLoad(`The window's page failed (${what}) and was reloaded. Your services and terminals kept running.`);
    // Not from inside the 'render-process-gone' handler: a navigation started there re-enters the dying
    // process's teardown and can crash the main process (electron/electron#51900, #53924). One task later.
    setImmediate(() => {
      try {
        if (!contents.isDestroyed()) contents.reload();
      } catch (err) {
        this.deps.logger.error({ domain: 'app', err: (err as Error).message }, 'could not reload the window');
      }
    });
  }
}
