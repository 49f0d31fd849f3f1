// Plain-text tables for the CLI: columns padded to their widest cell, two spaces apart, no trailing blanks.

export class TextTable {
  private readonly rows: string[][] = [];

  constructor(private readonly headers: readonly string[]) {}

  add(cells: readonly (string | number | null | undefined)[]): this {
    this.rows.push(this.headers.map((_, i) => TextTable.cell(cells[i])));
    return this;
  }

  get size(): number {
    return this.rows.length;
  }

  render(): string {
    const all = [[...this.headers], ...this.rows];
    const widths = this.headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    return all
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n');
  }

  private static cell(value: string | number | null | undefined): string {
    if (value === null || value === undefined || value === '') return '-';
    return String(value).replace(/[\r\n\t]+/g, ' ');
  }
}
