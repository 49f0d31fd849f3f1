// Finds the line of a key path in a parsed devmesh.yaml, so every problem can say `devmesh.yaml:12:`.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type KeyPath = ReadonlyArray<string | number>;

export class YamlLocator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /**
   * 1-based line of `path`: the line of its key for a map entry (a block value starts on a later line, but
   * the key is what the user looks for), of the item for a list entry. A path that does not exist (a missing
   * required key, a value that came from an alias) gives the line of the deepest part that does.
   */
  lineOf(path: KeyPath): number {
    let node: unknown = this.doc.contents;
    let line = this.lineAt(node) ?? 1;
    for (const segment of path) {
      node = this.resolve(node);
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && this.keyText(item.key) === String(segment));
        if (!pair) return line;
        line = this.lineAt(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined) return line;
        line = this.lineAt(item) ?? line;
        node = item;
      } else {
        return line;
      }
    }
    return line;
  }

  /** The keys of the map at `path` in file order, or null when there is no map there. */
  keysOf(path: KeyPath): string[] | null {
    let node: unknown = this.doc.contents;
    for (const segment of path) {
      node = this.resolve(node);
      if (!isMap(node)) return null;
      const pair = node.items.find((item) => isPair(item) && this.keyText(item.key) === String(segment));
      node = pair?.value;
    }
    node = this.resolve(node);
    if (!isMap(node)) return null;
    return node.items.map((item) => this.keyText(item.key)).filter((key): key is string => key !== null);
  }

  /** The line of a byte offset, for YAML syntax errors. */
  lineOfOffset(offset: number): number {
    return this.lineCounter.linePos(offset).line;
  }

  private resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  private keyText(key: unknown): string | null {
    if (isScalar(key)) return String(key.value);
    return typeof key === 'string' ? key : null;
  }

  private lineAt(node: unknown): number | null {
    const range = (node as Node | null | undefined)?.range;
    return range ? this.lineCounter.linePos(range[0]).line : null;
  }
}
