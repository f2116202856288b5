// Checked reads for indexes an algorithm keeps in range, in place of `as number` casts.

/** `xs[i]` where the caller's loop bounds guarantee `i` is in range; a miss is a bug, so it throws rather than go on with undefined. */
export function at<T>(xs: ArrayLike<T>, i: number): T {
  const x = xs[i];
  if (x === undefined) throw new RangeError(`index ${i} is outside 0..${xs.length - 1}`);
  return x;
}
