// Ordinary least squares for one variable: the line y = a + b·x that minimises the squared residuals, and
// its coefficient of determination R² (the share of y's variance the line explains). The leak detector's
// arithmetic, kept apart so it is tested on its own.
export interface LineFit {
  /** dy/dx */
  slope: number;
  intercept: number;
  /** 1: every point on the line; 0: the line explains nothing; 0 too when y does not vary */
  r2: number;
  n: number;
}

export function fitLine(xs: readonly number[], ys: readonly number[]): LineFit | null {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return null;
  // centred on the means: timestamps in ms since the epoch would lose precision squared
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: my - slope * mx, r2, n };
}
