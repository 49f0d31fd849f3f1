// Gathers every problem found in one devmesh.yaml, each with its line, so a user fixes them all in one pass
// instead of one per reload. Turns zod's issues into the file's own words: key paths, `expected …, got …`,
// did-you-mean for unknown keys.
import type { z } from 'zod';
import { describeValue } from './config-schema.js';
import { didYouMean } from '../base/did-you-mean.js';
import type { ConfigIssue } from './project-config.js';
import type { KeyPath, YamlLocator } from './yaml-locator.js';

type ZodIssue = z.core.$ZodIssue;

/** The keys a map may hold, given its path relative to where the parse started; for did-you-mean. */
export type KnownKeys = (path: KeyPath) => readonly string[];

export class ConfigIssueCollector {
  private readonly issues: ConfigIssue[] = [];
  private readonly seen = new Set<string>();

  constructor(
    /** the file's base name, as shown at the start of each line */
    private readonly file: string,
    private readonly locator: YamlLocator | null,
  ) {}

  get count(): number {
    return this.issues.length;
  }

  /** Records a problem at `path`; its line is looked up unless given (YAML syntax errors know theirs). */
  add(path: KeyPath, message: string, line?: number | null): void {
    const shown = ConfigIssueCollector.formatPath(path);
    const issue: ConfigIssue = {
      file: this.file,
      line: line !== undefined ? line : (this.locator?.lineOf(path) ?? null),
      path: shown,
      message,
    };
    // Union branches and repeated checks can report the same thing twice.
    const key = `${issue.line}\0${issue.path}\0${issue.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.issues.push(issue);
  }

  addZodIssues(issues: readonly ZodIssue[], prefix: KeyPath, knownKeys: KnownKeys): void {
    for (const issue of issues) this.addZodIssue(issue, [], prefix, knownKeys);
  }

  /** The problems ordered by line (stable, so problems on one line keep the order they were found in). */
  list(): ConfigIssue[] {
    return this.issues
      .map((issue, index) => ({ issue, index }))
      .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.index - b.index)
      .map(({ issue }) => issue);
  }

  /** `devmesh.yaml:12: services.api.port: expected a number 1-65535, got "80a"` */
  static format(issue: ConfigIssue): string {
    const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}`;
    return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
  }

  /** `services.api.depends_on[0]`: dotted keys, list positions in brackets. */
  static formatPath(path: KeyPath): string {
    let out = '';
    for (const segment of path) {
      if (typeof segment === 'number') out += `[${segment}]`;
      else out += out ? `.${segment}` : segment;
    }
    return out;
  }

  // `base` is the issue's location relative to `prefix` once nested union branches are unwrapped.
  private addZodIssue(issue: ZodIssue, base: KeyPath, prefix: KeyPath, knownKeys: KnownKeys): void {
    const relative = [
      ...base,
      ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
    ];
    const path = [...prefix, ...relative];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeys(relative);
        for (const key of issue.keys) {
          const suggestion = didYouMean(key, known);
          this.add(
            [...path, key],
            suggestion
              ? `unknown key; did you mean '${suggestion}'?`
              : `unknown key; expected one of ${known.join(', ')}`,
          );
        }
        return;
      }
      case 'invalid_union': {
        const branch = ConfigIssueCollector.closestBranch(issue.errors);
        if (branch) {
          for (const inner of branch) this.addZodIssue(inner, relative, prefix, knownKeys);
          return;
        }
        break;
      }
      case 'invalid_key': {
        const expected = issue.issues[0]?.message ?? 'a valid key';
        this.add(path, `expected ${expected}, got ${describeValue(issue.input)}`);
        return;
      }
      case 'custom':
        this.add(path, issue.message);
        return;
      default:
        break;
    }
    if (issue.input === undefined) this.add(path, `required: ${issue.message}`);
    else this.add(path, `expected ${issue.message}, got ${describeValue(issue.input)}`);
  }

  /**
   * The union branch the user most likely meant: one that got past the type check into the value's insides
   * (a map with a bad key), else one whose type matched but whose value did not (an unknown policy name).
   * Null: nothing matched at all, and the union's own expectation says it best.
   */
  private static closestBranch(branches: readonly (readonly ZodIssue[])[]): readonly ZodIssue[] | null {
    const deep = branches.find((b) => b.some((i) => i.path.length > 0 || i.code === 'unrecognized_keys'));
    if (deep) return deep;
    return (
      branches.find((b) => b.length > 0 && b.every((i) => i.code !== 'invalid_type' && i.code !== 'invalid_union')) ??
      null
    );
  }
}
