// Medians and ratios of interleaved rounds: a ratio is taken per round (both
// sides measured moments apart) and its median reported, so that a slow
// moment of a shared machine hits both sides of it.
export const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** How many times faster `a` is than `b`: median over rounds of b_ms / a_ms. */
export function speedRatio(a, b) {
  return median(a.map((ms, i) => b[i] / ms));
}

export const fmtMs = (ms) => `${ms.toFixed(0).padStart(6)} ms`;
export const fmtX = (x) => `${x.toFixed(2)}x`;
