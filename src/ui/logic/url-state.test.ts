import { describe, expect, it } from 'vitest';
import { formatUrlState, parseUrlState, type UrlState } from './url-state.ts';

describe('URL state', () => {
  it('round-trips every field', () => {
    const state: UrlState = {
      models: ['/models/default/', 'https://example.org/siglip/'],
      example: 'coffee',
      scale: 8,
      token: { scale: 8, row: 3, col: 5 },
      upto: 4,
      weights: { semantic: 1.5, pixel: 0.5 },
      colour: 'semantic',
      backend: 'wasm',
    };
    const query = formatUrlState(state);
    expect(query).toBe(
      '?model=/models/default/&model=https://example.org/siglip/&example=coffee&scale=8' +
        '&token=8,3,5&upto=4&w=1.5:0.5&colour=semantic&backend=wasm',
    );
    expect(parseUrlState(query)).toEqual({ state, problems: [] });
  });

  it('writes nothing for the defaults and reads an empty query', () => {
    expect(formatUrlState({ models: [] })).toBe('');
    expect(formatUrlState({ models: [], backend: 'auto' })).toBe('');
    expect(parseUrlState('')).toEqual({ state: { models: [] }, problems: [] });
  });

  it('keeps URLs with their own query strings intact', () => {
    const state: UrlState = { models: ['https://host/pkg/?token=a&b=c'] };
    expect(parseUrlState(formatUrlState(state)).state).toEqual(state);
  });

  it('drops malformed values with a message naming them', () => {
    const { state, problems } = parseUrlState(
      '?scale=0&token=4,4,1&upto=x&w=1:-1&colour=red&backend=gpu&example=../x&model=a&model=b&model=c',
    );
    expect(state).toEqual({ models: ['a', 'b'] });
    expect(problems).toEqual([
      'the link names 3 models; only the first 2 are loaded',
      'link parameter token=4,4,1 must be "side,row,column" inside the grid (e.g. 8,3,5); ignored',
      'link parameter w=1:-1 must be "semantic:pixel" weights (e.g. 1:1); ignored',
      'link parameter colour=red must be one of semantic, pixel; ignored',
      'link parameter backend=gpu must be one of auto, webgpu, wasm; ignored',
      'link parameter example=../x is not an example id; ignored',
      'link parameter scale=0 is not a positive integer; ignored',
      'link parameter upto=x is not a positive integer; ignored',
    ]);
  });
});
