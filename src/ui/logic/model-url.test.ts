import { describe, expect, it } from 'vitest';
import { displayModelUrl, normaliseModelUrl } from './model-url.ts';

const page = 'http://127.0.0.1:4173/?example=coffee';

describe('model URLs', () => {
  it('turns a folder, a folder without slash or a manifest URL into the folder URL', () => {
    for (const raw of [
      '/models/default/',
      '/models/default',
      '/models/default/manifest.json',
      ' http://127.0.0.1:4173/models/default#x ',
    ]) {
      expect(normaliseModelUrl(raw, page)).toBe('http://127.0.0.1:4173/models/default/');
    }
    expect(normaliseModelUrl('https://example.org/pkg', page)).toBe('https://example.org/pkg/');
  });

  it('names what is wrong', () => {
    expect(() => normaliseModelUrl('  ', page)).toThrow(/enter the URL/);
    expect(() => normaliseModelUrl('file:///tmp/pkg', page)).toThrow(
      '"file:///tmp/pkg" is a file: URL; model packages are loaded over http or https',
    );
  });

  it('refuses text that is no address instead of taking it as a folder of this site', () => {
    expect(() => normaliseModelUrl('not a url at all', page)).toThrow(
      '"not a url at all" is not a URL: enter an address such as',
    );
    expect(() => normaliseModelUrl('siglip', page)).toThrow('"siglip" is not a URL');
    expect(normaliseModelUrl('models/siglip', page)).toBe('http://127.0.0.1:4173/models/siglip/');
    expect(normaliseModelUrl('./siglip/', page)).toBe('http://127.0.0.1:4173/siglip/');
  });

  it('shows same-origin URLs as paths', () => {
    expect(displayModelUrl('http://127.0.0.1:4173/e2e-packages/clip-224/', page)).toBe('/e2e-packages/clip-224/');
    expect(displayModelUrl('https://example.org/pkg/', page)).toBe('https://example.org/pkg/');
  });
});
