// The model an agent runs, when its command line says so (`--model X`, `--model=X`, `-m X`, as claude, codex,
// gemini, aider and opencode spell it). Anything else is unknown: null, never a guess from the profile.

const FLAGS = new Set(['--model', '-m']);

export function modelFromArgs(args: readonly string[]): string | null {
  let found: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (FLAGS.has(arg) && i + 1 < args.length && !args[i + 1]!.startsWith('-')) found = args[++i]!;
    else if (arg.startsWith('--model=')) found = arg.slice('--model='.length);
  }
  // the last one wins, as in the CLIs' own parsers
  return found === null || found === '' ? null : found.slice(0, 128);
}
