/** A reported figure (ms, s, a rate) rounded to three decimals, as the SDK benchmark prints them all. */
export function roundFigure(value: number): number {
  return Number(value.toFixed(3))
}
