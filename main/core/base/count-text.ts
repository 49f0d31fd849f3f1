// Whole numbers as people read them in messages: `10,000`. Not Number#toLocaleString: its first call loads
// ICU's number-format data, ~5 MB of the daemon's RSS, for two constants in messages built at load time.

/** `n` rounded to a whole number, its thousands grouped with commas (as `toLocaleString('en')` would). */
export function countText(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
