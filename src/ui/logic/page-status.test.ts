import { describe, expect, it } from 'vitest';
import { loadingModelView } from '../state/loading-model-view.ts';
import type { ModelView, PlaygroundState } from '../state/types.ts';
import { pageStatus } from './page-status.ts';
import { testManifest } from '../../test-support/test-manifest.ts';

type StatusInput = Parameters<typeof pageStatus>[0];

const base: StatusInput = {
  models: [],
  imagePhase: 'idle',
  defaultModel: 'present',
} as Partial<PlaygroundState> as StatusInput;

function model(patch: Partial<ModelView>): ModelView {
  return {
    ...loadingModelView(1, 'http://x/models/default/'),
    phase: 'ready',
    manifest: testManifest({ name: 'Tiny' }),
    ...patch,
  };
}

describe('the status line', () => {
  it('follows a visit: looking → downloading → tokenizing → decoding → done', () => {
    expect(pageStatus({ ...base, defaultModel: 'unknown' }).step).toBe('starting');
    const loading = pageStatus({
      ...base,
      models: [
        model({
          phase: 'loading',
          manifest: undefined,
          files: [
            { file: 'a.onnx', loaded: 1024 ** 2, total: 2 * 1024 ** 2, done: false },
            { file: 'b', loaded: 5, total: 5, done: true },
          ],
        }),
      ],
    });
    expect(loading).toMatchObject({ step: 'downloading', busy: true });
    expect(loading.text).toBe('Loading http://x/models/default/: 1 of 2 files, 1.0 MB of 2.0 MB…');
    expect(pageStatus({ ...base, models: [model({})] })).toMatchObject({ step: 'waiting-image', busy: false });
    const image = { name: 'coffee.png' } as PlaygroundState['image'];
    expect(pageStatus({ ...base, image, imagePhase: 'done', models: [model({ encodePhase: 'running' })] }).text).toBe(
      'Tokenizing coffee.png with Tiny…',
    );
    const tokens = new Int32Array(817);
    expect(
      pageStatus({
        ...base,
        image,
        imagePhase: 'done',
        models: [model({ encodePhase: 'done', tokens, reconPhase: 'running' })],
      }).text,
    ).toBe('817 tokens ready; decoding the reconstruction…');
    const recon = {
      scalesUsed: 1,
      from: 'pasted' as const,
      result: { timings: { totalMs: 12.4 } } as NonNullable<ModelView['recon']>['result'],
    };
    const done = pageStatus({
      ...base,
      image,
      imagePhase: 'done',
      models: [model({ encodePhase: 'done', tokens: new Int32Array(1), reconPhase: 'done', recon })],
    });
    expect(done).toMatchObject({ step: 'done', busy: false });
    expect(done.text).toBe('Done: pasted tokens → 1 token → reconstruction from 1 scale (decoded in 12 ms).');
  });

  it('says what failed', () => {
    expect(pageStatus({ ...base, models: [model({ phase: 'error', manifest: undefined, error: 'nope' })] }).text).toBe(
      'http://x/models/default/ could not be loaded: nope',
    );
    expect(pageStatus({ ...base, defaultModel: 'absent' }).step).toBe('no-model');
    expect(
      pageStatus({ ...base, imagePhase: 'error', imageError: 'x.txt: not an image', models: [model({})] }).text,
    ).toBe('The image could not be opened: x.txt: not an image');
  });
});
