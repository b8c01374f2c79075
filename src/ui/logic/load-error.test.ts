import { describe, expect, it } from 'vitest';
import { explainLoadError } from './load-error.ts';

const url = 'http://127.0.0.1:4173/no-such-package/';

describe('load errors in words', () => {
  it('explains a network failure and keeps the browser’s text', () => {
    const text = explainLoadError('load-model: Failed to fetch', url);
    expect(text).toMatch(/^http:\/\/127\.0\.0\.1:4173\/no-such-package\/manifest\.json could not be reached/);
    expect(text).toContain('CORS');
    expect(text).toContain('(Failed to fetch)');
  });

  it('explains an HTML page served instead of the manifest', () => {
    const raw = `load-model: ${url}manifest.json is not valid JSON: Unexpected token '<', "<!doctype "... is not valid JSON`;
    expect(explainLoadError(raw, url)).toMatch(/manifest\.json is a web page, not a model manifest/);
  });

  it('explains a 404 and passes other messages through without the request prefix', () => {
    expect(explainLoadError(`load-model: ${url}manifest.json: HTTP 404`, url)).toMatch(/^there is no model package at/);
    expect(explainLoadError('load-model: manifest field "scales" must be an array', url)).toBe(
      'manifest field "scales" must be an array',
    );
  });
});
