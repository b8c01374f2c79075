import { beforeAll, describe, expect, it } from 'vitest';
import { groupNorm } from './nn-ops.ts';
import { startBackend, tf } from './tf-backend.ts';

/** GroupNorm written the plain way, so tfjs differentiates it itself. */
function autodiffGroupNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number, eps: number): tf.Tensor {
  const [N, H, W, C] = x.shape;
  const xr = x.reshape([N, H * W, groups, C / groups]);
  const { mean, variance } = tf.moments(xr, [1, 3], true);
  return xr.sub(mean).div(variance.add(eps).sqrt()).reshape([N, H, W, C]).mul(gamma).add(beta);
}

describe('groupNorm', () => {
  beforeAll(() => startBackend(1));

  it('its analytic gradient matches autodiff for input, scale and shift', () => {
    const x = tf.randomNormal([2, 5, 3, 8], 0.5, 2, 'float32', 1) as tf.Tensor4D;
    const gamma = tf.randomNormal([8], 1, 0.3, 'float32', 2);
    const beta = tf.randomNormal([8], 0, 1, 'float32', 3);
    const weight = tf.randomNormal([2, 5, 3, 8], 0, 1, 'float32', 4);
    const loss = (f: typeof groupNorm | typeof autodiffGroupNorm) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      f(a as tf.Tensor4D, g, b, 4, 1e-6)
        .mul(weight)
        .sum();
    const mine = tf.grads(loss(groupNorm))([x, gamma, beta]);
    const reference = tf.grads(loss(autodiffGroupNorm))([x, gamma, beta]);
    expect(
      groupNorm(x, gamma, beta, 4, 1e-6)
        .sub(autodiffGroupNorm(x, gamma, beta, 4, 1e-6))
        .abs()
        .max()
        .dataSync()[0],
    ).toBeLessThan(1e-5);
    mine.forEach((g, i) => {
      const scale = reference[i].abs().max().dataSync()[0];
      expect(scale).toBeGreaterThan(0);
      expect(g.sub(reference[i]).abs().max().dataSync()[0] / scale).toBeLessThan(1e-4);
    });
  });
});
