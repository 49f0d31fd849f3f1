// @vitest-environment jsdom
// A project's databases in the Services view as an operator uses them: engine, version, size, state, the
// stable address and URL (copied), a missing engine's problem with the package to install, and Snapshot,
// Restore… (nothing sent before a snapshot is chosen and confirmed), Reset… (confirmed), Publish, teammates'
// snapshots with Pull…; the daemon's refusals in its own words; database.changed lists again.
import { configure, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { DatabaseInfo, PeerSnapshot, SnapshotInfo } from '../../../shared/database.js';
import { ServicesTable } from '../../../renderer/services/services-table.js';
import { scaled } from '../../helpers/load-scale.js';
import { renderView } from '../../helpers/render-view.js';
import { databaseInfo, peerSnapshot, projectInfo, serviceInfo, snapshotInfo } from '../../helpers/view-fixtures.js';

// the daemon's answers come through promises and a one-second poll: wait as long as the machine's load needs
configure({ asyncUtilTimeout: scaled(5_000) });

interface Daemon {
  databases: DatabaseInfo[];
  snapshots?: SnapshotInfo[];
  peers?: PeerSnapshot[];
}

/** renders the Services view of project shop (api and its database api-db) once its databases are listed */
async function renderDatabases({ databases, snapshots = [], peers = [] }: Daemon) {
  const view = renderView(<ServicesTable />, ({ client }) => {
    client.answer('projects.list', [projectInfo('shop', { services: ['api', 'api-db'] })]);
    client.answer('services.list', [
      serviceInfo('api'),
      serviceInfo('api-db', { protocol: 'tcp', tcpAddress: '127.0.0.1:15432', database: 'postgres' }),
    ]);
    client.answer('databases.list', databases);
    client.answer('databases.snapshots', snapshots);
    client.answer('databases.peerSnapshots', peers);
  });
  if (databases[0]) await screen.findByRole('region', { name: `Database ${databases[0].service}` });
  return view;
}

const card = (service: string) => within(screen.getByRole('region', { name: `Database ${service}` }));
const dialog = () => within(screen.getByRole('dialog'));

describe('the databases of the Services view', () => {
  it('shows engine, engine version, size, state, the stable address and URL, and copies the URL', async () => {
    const { user } = await renderDatabases({ databases: [databaseInfo('api-db', { range: '>=14' })] });
    const db = card('api-db');
    expect(db.getByText('postgres 15.8')).toBeTruthy();
    expect(db.getByText('needs >=14')).toBeTruthy();
    expect(db.getByText('12 MB')).toBeTruthy();
    expect(db.getByText('healthy')).toBeTruthy();
    expect(db.getByText('database of api')).toBeTruthy();
    expect(db.getByText('127.0.0.1:15432')).toBeTruthy();
    expect(db.getByText('postgres://devmesh@127.0.0.1:15432/shop')).toBeTruthy();

    await user.click(db.getByRole('button', { name: 'Copy the URL of api-db' }));
    expect(await navigator.clipboard.readText()).toBe('postgres://devmesh@127.0.0.1:15432/shop');
    expect(db.getByRole('button', { name: 'Copy the URL of api-db' }).textContent).toBe('Copied');
    await user.click(db.getByRole('button', { name: 'Copy the address of api-db' }));
    expect(await navigator.clipboard.readText()).toBe('127.0.0.1:15432');
  });

  it('says why a database cannot run when its engine is missing, with the package that fixes it', async () => {
    const problem =
      'postgres is not installed on this machine (no postgres on PATH or in /usr/lib/postgresql/*/bin): ' +
      'install it with `sudo apt install postgresql`';
    await renderDatabases({
      databases: [
        databaseInfo('api-db', {
          engineVersion: null,
          binary: null,
          state: 'stopped',
          port: null,
          sizeBytes: null,
          problem,
        }),
      ],
    });
    const db = card('api-db');
    expect(db.getByRole('alert').textContent).toBe(problem);
    expect(db.getByText('postgres not found')).toBeTruthy();
    expect(db.getByText('stopped')).toBeTruthy();
  });

  it('an engine not installed: no version anywhere, the commands that install it (copied), where DevMesh looked', async () => {
    const engineMissing = {
      engine: 'postgres' as const,
      program: 'postgres',
      lookedIn: ['/usr/bin', '/bin', '/usr/lib/postgresql/*/bin'],
      debianPackage: 'postgresql',
      brewFormula: 'postgresql@16',
      message: 'shop/api-db: postgres is not installed on this machine: DevMesh looked on PATH (/usr/bin, /bin) …',
    };
    const view = renderView(<ServicesTable />, ({ client }) => {
      client.answer('projects.list', [projectInfo('shop', { services: ['api', 'api-db'] })]);
      client.answer('services.list', [
        serviceInfo('api'),
        serviceInfo('api-db', {
          protocol: 'tcp',
          database: 'postgres',
          state: 'stopped',
          version: null,
          engineMissing,
        }),
      ]);
      const db = { engineVersion: null, binary: null, state: 'stopped' as const, port: null, sizeBytes: null };
      client.answer('databases.list', [
        databaseInfo('api-db', { ...db, problem: engineMissing.message, engineMissing }),
      ]);
      client.answer('databases.snapshots', []);
      client.answer('databases.peerSnapshots', []);
    });
    await screen.findByRole('region', { name: 'Database api-db' });
    // the services table: where the version goes, what is missing (the whole message on hover)
    const version = screen.getByTestId('service-version-api-db');
    expect(version.textContent).toBe('postgres not installed');
    expect(version.getAttribute('title')).toBe(engineMissing.message);
    expect(screen.getByTestId('service-row-api-db').textContent).not.toContain('0.0.0');
    const db = card('api-db');
    expect(db.getByText('postgres not installed')).toBeTruthy();
    const note = db.getByRole('alert');
    expect(note.textContent).toContain('postgres is not installed on this machine: api-db cannot start until it is.');
    const install = within(db.getByRole('list', { name: 'How to install postgres' }));
    expect(install.getAllByRole('listitem').map((li) => li.querySelector('code')?.textContent)).toEqual([
      'sudo apt install postgresql',
      'brew install postgresql@16',
    ]);
    await view.user.click(db.getByRole('button', { name: 'Copy the command that installs postgres on Debian/Ubuntu' }));
    expect(await navigator.clipboard.readText()).toBe('sudo apt install postgresql');
    expect(db.getByText('Where DevMesh looked (3 folders)')).toBeTruthy();
    expect(db.getByText('/usr/lib/postgresql/*/bin')).toBeTruthy();
  });

  it('restores only the snapshot chosen, and only once the replacement is confirmed', async () => {
    const { client, user } = await renderDatabases({
      databases: [databaseInfo('api-db', { snapshots: 2 })],
      snapshots: [
        snapshotInfo('api-db', 'before-migration', { createdAt: Date.now() - 86_400_000, sizeBytes: 1_200_000 }),
        snapshotInfo('api-db', 'nightly', { published: true, sizeBytes: 3_400_000 }),
      ],
    });
    client.answer('databases.restore', databaseInfo('api-db', { sizeBytes: 3_000, snapshots: 2 }));
    await user.click(card('api-db').getByRole('button', { name: 'Restore…' }));
    const options = dialog().getAllByRole('radio');
    // newest first, each with its size and time, the published one marked
    expect(options.map((o) => o.closest('label')?.textContent)).toEqual([
      'nightly · 3.4 MB · 1h ago · published',
      'before-migration · 1.2 MB · 1d ago',
    ]);
    expect(dialog().getByText(/The current data of api-db .* is replaced by the snapshot/)).toBeTruthy();
    const confirm = dialog().getByTestId('db-restore-api-db-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true); // nothing chosen yet

    await user.click(dialog().getByRole('radio', { name: /before-migration/ }));
    expect(client.inputsOf('databases.restore')).toEqual([]); // choosing is not restoring
    await user.click(dialog().getByRole('button', { name: 'Restore before-migration' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(client.inputsOf('databases.restore')).toEqual([
      { project: 'shop', service: 'api-db', name: 'before-migration' },
    ]);
    expect(card('api-db').getByRole('status').textContent).toBe('Restored api-db from before-migration.');
    expect(card('api-db').getByText('3 kB')).toBeTruthy(); // the answer's size, at once
  });

  it('sends nothing when the restore is cancelled', async () => {
    const { client, user } = await renderDatabases({
      databases: [databaseInfo('api-db')],
      snapshots: [snapshotInfo('api-db', 'nightly')],
    });
    client.answer('databases.restore', databaseInfo('api-db'));
    await user.click(card('api-db').getByRole('button', { name: 'Restore…' }));
    await user.click(dialog().getByRole('radio', { name: /nightly/ }));
    await user.click(dialog().getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await user.click(card('api-db').getByRole('button', { name: 'Restore…' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(client.inputsOf('databases.restore')).toEqual([]);
  });

  it('shows a refused restore in the daemon’s words and keeps the dialog open', async () => {
    const { client, user } = await renderDatabases({
      databases: [databaseInfo('api-db')],
      snapshots: [snapshotInfo('api-db', 'nightly')],
    });
    const message =
      'snapshot nightly of api-db does not match its sha256 (damaged or truncated): nothing was restored; ' +
      'take it again or pull it again';
    client.refuse('databases.restore', 'SNAPSHOT_CORRUPT', message);
    await user.click(card('api-db').getByRole('button', { name: 'Restore…' }));
    await user.click(dialog().getByRole('radio', { name: /nightly/ }));
    await user.click(dialog().getByRole('button', { name: 'Restore nightly' }));
    expect((await dialog().findByRole('alert')).textContent).toBe(`SNAPSHOT_CORRUPT: ${message}`);
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('restores from the keyboard alone', async () => {
    const { client, user } = await renderDatabases({
      databases: [databaseInfo('api-db')],
      snapshots: [snapshotInfo('api-db', 'nightly')],
    });
    client.answer('databases.restore', databaseInfo('api-db'));
    card('api-db').getByRole('button', { name: 'Restore…' }).focus();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('dialog').contains(document.activeElement)).toBe(true); // focus moved into it
    await user.tab(); // the snapshot
    await user.keyboard(' ');
    expect((dialog().getByRole('radio', { name: /nightly/ }) as HTMLInputElement).checked).toBe(true);
    await user.keyboard('{Enter}'); // the form's submit
    await waitFor(() =>
      expect(client.inputsOf('databases.restore')).toEqual([{ project: 'shop', service: 'api-db', name: 'nightly' }]),
    );
  });

  it('resets only after the confirmation that the data is lost', async () => {
    const { client, user } = await renderDatabases({ databases: [databaseInfo('api-db')] });
    client.answer('databases.reset', databaseInfo('api-db', { sizeBytes: 8_000_000 }));
    await user.click(card('api-db').getByRole('button', { name: 'Reset…' }));
    expect(dialog().getByText(/its current data is lost/)).toBeTruthy();
    expect(client.inputsOf('databases.reset')).toEqual([]);
    await user.click(dialog().getByRole('button', { name: 'Reset' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(client.inputsOf('databases.reset')).toEqual([{ project: 'shop', service: 'api-db' }]);
    expect(card('api-db').getByText('8 MB')).toBeTruthy();
  });

  it('takes a snapshot, named or not, refuses a name the daemon would, and lists it', async () => {
    const { client, user } = await renderDatabases({ databases: [databaseInfo('api-db')] });
    client.answer('databases.snapshot', (input) =>
      snapshotInfo('api-db', input.name ?? 'api-db-20261207-120000', { createdAt: Date.now(), sizeBytes: 5_000 }),
    );
    const db = card('api-db');
    await user.click(db.getByRole('button', { name: 'Snapshot' }));
    await waitFor(() =>
      expect(db.getByRole('status').textContent).toBe('Took snapshot api-db-20261207-120000 (5 kB).'),
    );

    const name = db.getByRole('textbox', { name: /Name of the new snapshot of api-db/ });
    await user.type(name, '.hidden');
    expect((db.getByRole('button', { name: 'Snapshot' }) as HTMLButtonElement).disabled).toBe(true);
    await user.clear(name);
    await user.type(name, 'seeded{Enter}');
    await waitFor(() => expect(db.getByRole('status').textContent).toBe('Took snapshot seeded (5 kB).'));
    expect(client.inputsOf('databases.snapshot')).toEqual([
      { project: 'shop', service: 'api-db' },
      { project: 'shop', service: 'api-db', name: 'seeded' },
    ]);
    expect(db.getByText('2 snapshots')).toBeTruthy();
  });

  it('shows a refused snapshot as the daemon said it', async () => {
    const { client, user } = await renderDatabases({ databases: [databaseInfo('api-db')] });
    client.refuse(
      'databases.snapshot',
      'ENGINE_MISSING',
      'pg_dump is not installed: `sudo apt install postgresql-client`',
    );
    await user.click(card('api-db').getByRole('button', { name: 'Snapshot' }));
    expect((await card('api-db').findByRole('alert')).textContent).toBe(
      'Snapshot of api-db failed: ENGINE_MISSING: pg_dump is not installed: `sudo apt install postgresql-client`',
    );
  });

  it('publishes a snapshot to teammates with its toggle, and unpublishes it', async () => {
    const { client, user } = await renderDatabases({
      databases: [databaseInfo('api-db')],
      snapshots: [snapshotInfo('api-db', 'nightly')],
    });
    client.answer('databases.publish', (input) => snapshotInfo('api-db', input.name, { published: input.published }));
    await user.click(card('api-db').getByText('1 snapshot'));
    const toggle = card('api-db').getByRole('checkbox', { name: 'Publish nightly to teammates' }) as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    await user.click(toggle);
    await waitFor(() => expect(toggle.checked).toBe(true));
    expect(card('api-db').getByText('1 snapshot (1 published)')).toBeTruthy();
    await user.click(toggle);
    await waitFor(() => expect(toggle.checked).toBe(false));
    expect(client.inputsOf('databases.publish')).toEqual([
      { project: 'shop', service: 'api-db', name: 'nightly', published: true },
      { project: 'shop', service: 'api-db', name: 'nightly', published: false },
    ]);
  });

  it('shows the toggle as clicked while the daemon answers, and as it was when the daemon refuses', async () => {
    // Found in Chromium (tests/e2e/databases.e2e.test.ts): the controlled box snapped back to its old value and
    // stayed so until the answer came, as if the click had been lost.
    const { client, user } = await renderDatabases({
      databases: [databaseInfo('api-db')],
      snapshots: [snapshotInfo('api-db', 'nightly')],
    });
    let answer: (s: SnapshotInfo) => void = () => {};
    client.answer('databases.publish', () => new Promise<SnapshotInfo>((resolve) => (answer = resolve)));
    await user.click(card('api-db').getByText('1 snapshot'));
    const toggle = card('api-db').getByRole('checkbox', { name: 'Publish nightly to teammates' }) as HTMLInputElement;
    await user.click(toggle);
    await waitFor(() => expect(client.inputsOf('databases.publish')).toHaveLength(1));
    expect(toggle.checked).toBe(true);
    expect(toggle.disabled).toBe(true);
    expect(card('api-db').getByText('publishing…')).toBeTruthy();
    answer(snapshotInfo('api-db', 'nightly', { published: true }));
    await waitFor(() => expect(toggle.disabled).toBe(false));
    expect(toggle.checked).toBe(true);
    expect(card('api-db').getByText('published')).toBeTruthy();

    client.refuse('databases.publish', 'PROJECT_NOT_FOUND', 'no project shop');
    await user.click(toggle);
    expect((await card('api-db').findByRole('alert')).textContent).toContain('Unpublishing nightly failed');
    expect(toggle.checked).toBe(true);
  });

  it('pulls a teammate’s published snapshot, restoring it only as the dialog says', async () => {
    const { client, user } = await renderDatabases({
      databases: [databaseInfo('api-db')],
      peers: [peerSnapshot('alice', 'api-db', 'demo-data', { sizeBytes: 40_000_000 })],
    });
    client.answer('databases.pull', (input) => ({
      snapshot: snapshotInfo('api-db', input.name ?? 'x', { source: 'alice' }),
      restored: input.restore ? databaseInfo('api-db', { sizeBytes: 41_000_000 }) : null,
    }));
    const peers = within(screen.getByRole('region', { name: "Teammates' snapshots" }));
    expect(peers.getByText('alice')).toBeTruthy();
    expect(peers.getByText('40 MB')).toBeTruthy();

    await user.click(peers.getByRole('button', { name: 'Pull demo-data of api-db from alice' }));
    expect(dialog().getByText("The current data of api-db is replaced by the snapshot's.")).toBeTruthy();
    await user.click(dialog().getByRole('checkbox', { name: 'Restore it into api-db now' }));
    await user.click(dialog().getByRole('button', { name: 'Pull' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await user.click(peers.getByRole('button', { name: 'Pull demo-data of api-db from alice' }));
    await user.click(dialog().getByRole('button', { name: 'Pull and restore' }));
    await waitFor(() => expect(card('api-db').getByText('41 MB')).toBeTruthy());
    expect(client.inputsOf('databases.pull')).toEqual([
      { project: 'shop', peer: 'alice', service: 'api-db', name: 'demo-data', restore: false },
      { project: 'shop', peer: 'alice', service: 'api-db', name: 'demo-data', restore: true },
    ]);
  });

  it('lists the databases and snapshots again when the daemon says a database changed', async () => {
    const { client } = await renderDatabases({ databases: [databaseInfo('api-db')] });
    client.answer('databases.list', [databaseInfo('api-db', { sizeBytes: 99_000_000, snapshots: 1 })]);
    client.answer('databases.snapshots', [snapshotInfo('api-db', 'from-cli')]);
    client.emit({
      type: 'database.changed',
      ts: Date.now(),
      project: 'shop',
      service: 'api-db',
      what: 'snapshot from-cli',
    });
    await waitFor(() => expect(card('api-db').getByText('99 MB')).toBeTruthy());
    expect(card('api-db').getByText('1 snapshot')).toBeTruthy();
  });
});
