/**
 * Test-only: one `describe(name)` per golden fixture model, with that model's codebooks read once
 * before its tests. The quantizer suites all compare per model against the same codebooks, so the
 * loop and the loading live here rather than in each suite.
 */
import { beforeAll, describe } from 'vitest';
import type { Codebooks } from '../core/quantizer/codebook.ts';
import { FIXTURE_NAMES, type FixtureName } from './fixtures.ts';
import { loadFixtureCodebooks } from './quantizer-fixtures.ts';

/**
 * `codebooks()` is a getter because the suite body runs at collection time, before `beforeAll`
 * has loaded them; call it inside a test.
 */
export function describeEachFixtureModel(body: (name: FixtureName, codebooks: () => Codebooks) => void): void {
  for (const name of FIXTURE_NAMES) {
    describe(name, () => {
      let codebooks: Codebooks | undefined;
      beforeAll(async () => {
        codebooks = await loadFixtureCodebooks(name);
      });
      body(name, () => {
        if (!codebooks) throw new Error(`${name}: codebooks read before beforeAll loaded them`);
        return codebooks;
      });
    });
  }
}
