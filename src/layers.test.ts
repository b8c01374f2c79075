/**
 * The layer rules of ARCHITECTURE.md bite: ESLint, with the repository's own config, rejects a
 * source placed where it would break a layer, and accepts the same source where it is allowed.
 * So does the line-length rule, which holds strings and comments (that Prettier never breaks) to 140.
 */
import { ESLint } from 'eslint';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({ cwd: repoRoot });

async function ruleIds(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: resolve(repoRoot, filePath) });
  return result.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('layer rules', () => {
  it('src/core may not import the exporter', async () => {
    const source =
      "import { loadCheckpoint } from '../../export/checkpoint/load-checkpoint.ts';\nexport const f = loadCheckpoint;\n";
    expect(await ruleIds('src/core/x.ts', source)).toEqual(['boundaries/dependencies']);
    // The same line is fine one layer up, so the rule rejects the layer, not the import.
    expect(await ruleIds('src/node/x.ts', source)).toEqual([]);
  });

  it('src/core may not import Node, React or an ONNX runtime', async () => {
    for (const mod of ['node:fs', 'react', 'onnxruntime-web']) {
      expect(await ruleIds('src/core/x.ts', `import * as m from '${mod}';\nexport const f = m;\n`)).toEqual([
        'no-restricted-imports',
      ]);
    }
  });

  it('src/core code imports src/core', async () => {
    expect(
      await ruleIds('src/core/x.ts', "import type { Tensor } from './tensor.ts';\nexport type T = Tensor;\n"),
    ).toEqual([]);
  });

  it('the exporter may not import the Node layer (which imports the exporter)', async () => {
    const source =
      "import { nodeFileSource } from '../src/node/file-byte-source.ts';\nexport const f = nodeFileSource;\n";
    expect(await ruleIds('export/x.ts', source)).toEqual(['boundaries/dependencies']);
  });

  it('the runtime may not import the page, and the page may not import Node', async () => {
    expect(await ruleIds('src/runtime/x.ts', "import { App } from '../ui/App.tsx';\nexport const f = App;\n")).toEqual([
      'boundaries/dependencies',
    ]);
    expect(
      await ruleIds(
        'src/ui/x.ts',
        "import { decodeImageFile } from '../node/image-io.ts';\nexport const f = decodeImageFile;\n",
      ),
    ).toEqual(['boundaries/dependencies']);
  });

  it('production code may not import test support; tests may', async () => {
    const source = "import { fixturePath } from '../test-support/fixtures.ts';\nexport const f = fixturePath;\n";
    expect(await ruleIds('src/node/x.ts', source)).toEqual(['boundaries/dependencies']);
    expect(await ruleIds('src/node/x.test.ts', source)).toEqual([]);
  });
});

describe('line length', () => {
  // `export const s = '…';` is 20 characters around the string.
  const stringLine = (length: number) => `export const s = '${'x'.repeat(length - 20)}';\n`;

  it('a string or a comment may reach 140 characters, not 141', async () => {
    expect(await ruleIds('src/core/x.ts', stringLine(140))).toEqual([]);
    expect(await ruleIds('src/core/x.ts', stringLine(141))).toEqual(['@stylistic/max-len']);
    expect(await ruleIds('src/ui/x.tsx', `// ${'x'.repeat(138)}\nexport const s = 1;\n`)).toEqual([
      '@stylistic/max-len',
    ]);
    expect(await ruleIds('e2e/x.spec.ts', `test('${'x'.repeat(135)}', () => {});\n`)).toEqual(['@stylistic/max-len']);
  });

  it('a long URL is the exception', async () => {
    const url = `https://example.org/${'x'.repeat(140)}`;
    expect(await ruleIds('src/core/x.ts', `// ${url}\nexport const s = 1;\n`)).toEqual([]);
  });
});
