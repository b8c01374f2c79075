/** "1 token", "2 tokens", "1,024 codes": a count with its noun, in English. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? singular : plural}`;
}
