import { describe, expect, it } from 'vitest';
import { matchCommands } from '../../../renderer/commands/command-match.js';
import { createCommandsStore, listCommands, type Command } from '../../../renderer/commands/commands-store.js';

const command = (id: string, title: string, group = 'Services', keywords?: string[]): Command => ({
  id,
  title,
  group,
  ...(keywords ? { keywords } : {}),
  run: () => undefined,
});

const COMMANDS = [
  command('view.services', 'Go to Services', 'Views'),
  command('view.requests', 'Go to Requests', 'Views', ['proxy']),
  command('service.stop:web', 'Stop web', 'Services', ['kill']),
  command('service.stop:api', 'Stop api', 'Services', ['kill']),
  command('service.restart:web', 'Restart web', 'Services'),
  command('terminal.new', 'Open a new terminal', 'Terminals', ['shell']),
  command('database.snapshot:api-db', 'Snapshot the database api-db', 'Databases', ['backup']),
];

const ids = (query: string) => matchCommands(COMMANDS, query).map((c) => c.id);

describe('matching commands', () => {
  it('lists everything, in the registry order, for an empty query', () => {
    expect(ids('  ')).toEqual(COMMANDS.map((c) => c.id));
  });

  it('finds by the letters in order, not only by substring, and puts the closest first', () => {
    expect(ids('stop web')[0]).toBe('service.stop:web');
    expect(ids('stpweb')[0]).toBe('service.stop:web'); // letters in order, gaps allowed
    expect(ids('sw')[0]).toBe('service.stop:web'); // word starts
    expect(ids('rstw')[0]).toBe('service.restart:web');
    expect(ids('snap')).toEqual(['database.snapshot:api-db']);
  });

  it('finds by keywords and group too, below title matches', () => {
    expect(ids('backup')).toEqual(['database.snapshot:api-db']);
    expect(ids('kill')).toEqual(['service.stop:web', 'service.stop:api']);
    expect(ids('shell')).toEqual(['terminal.new']);
  });

  it('finds nothing for letters that are not there in that order', () => {
    expect(ids('zzq')).toEqual([]);
    expect(ids('bew pots')).toEqual([]);
  });

  it('keeps the registry order among equal scores', () => {
    expect(ids('stop').slice(0, 2)).toEqual(['service.stop:web', 'service.stop:api']);
  });
});

describe('the command registry', () => {
  it('lists every source in registration order; a source registered again replaces the old one', () => {
    const store = createCommandsStore();
    const { register } = store.getState();
    register('views', () => [COMMANDS[0]!]);
    const offServices = register('services', () => [COMMANDS[2]!]);
    register('views', () => [COMMANDS[1]!]);
    expect(listCommands(store.getState().sources).commands.map((c) => c.id)).toEqual([
      'service.stop:web',
      'view.requests',
    ]);
    offServices();
    expect(listCommands(store.getState().sources).commands.map((c) => c.id)).toEqual(['view.requests']);
  });

  it('asks the sources each time, so commands follow the state', () => {
    const store = createCommandsStore();
    let running = true;
    store
      .getState()
      .register('services', () => (running ? [COMMANDS[2]!] : [command('service.start:web', 'Start web')]));
    expect(listCommands(store.getState().sources).commands[0]?.title).toBe('Stop web');
    running = false;
    expect(listCommands(store.getState().sources).commands[0]?.title).toBe('Start web');
  });

  it('leaves out a source that throws, names it, and keeps the first of two commands with one id', () => {
    const store = createCommandsStore();
    store.getState().register('a', () => [COMMANDS[0]!]);
    store.getState().register('broken', () => {
      throw new Error('no services yet');
    });
    store.getState().register('b', () => [command('view.services', 'Another services'), COMMANDS[5]!]);
    const { commands, failed } = listCommands(store.getState().sources);
    expect(commands.map((c) => c.title)).toEqual(['Go to Services', 'Open a new terminal']);
    expect(failed).toEqual(['broken']);
  });
});
