/**
 * npm run train:profile — where a training step's time goes: forward+backward of each part of
 * TokenFlow-Tiny on one CPU thread, per 128-pixel image (batch 2). Not a test: it prints numbers,
 * which chose the decoder widths in tiny-config.ts.
 */
import { MobileNetTeacher, perceptualDistance } from './teacher.ts';
import { createParams, layoutFor, param, trainableList } from './params.ts';
import { MultiScaleQuantizer } from './quantizer.ts';
import { startBackend, tf } from './tf-backend.ts';
import { TINY_CONFIG, TINY_SEMANTIC_DECODER } from './tiny-config.ts';
import { TokenFlowNet } from './tokenflow-net.ts';

const BATCH = 2;
const REPEATS = 3;

async function main(): Promise<void> {
  await startBackend(1);
  const params = createParams(layoutFor(TINY_CONFIG, TINY_SEMANTIC_DECODER));
  const net = new TokenFlowNet(TINY_CONFIG, params);
  const vars = trainableList(params);
  const { inputSize: R, gridSize: S, scales, semanticCodeDim: Ds, pixelCodeDim: Dp } = TINY_CONFIG;
  const quantizer = new MultiScaleQuantizer(S, scales, Ds);
  const teacher = await MobileNetTeacher.load();
  const x = tf.randomUniform([BATCH, R, R, 3], -1, 1) as tf.Tensor4D;
  const z = tf.randomNormal([BATCH, S, S, Dp]) as tf.Tensor4D;
  const h = tf.randomNormal([BATCH, S, S, Ds + Dp]) as tf.Tensor4D;
  // Scaling an input by a trainable scalar makes parts without their own weights (quantizer input,
  // perceptual input) have a gradient to compute.
  const scaled = <T extends tf.Tensor>(t: T) => t.mul(param(params, 'encoder.conv_in.bias').mean().add(1)) as T;
  const parts: [string, () => tf.Scalar, boolean][] = [
    ['pixel encoder', () => net.pixelEncode(x).square().mean(), true],
    ['pixel decoder', () => net.pixelDecode(z).square().mean(), true],
    ['semantic encoder (ViT)', () => net.semanticEncode(x).square().mean(), true],
    [
      'multi-scale quantizer',
      () =>
        quantizer
          .quantize(
            scaled(h),
            param(params, 'quantize.embedding_vqkd.weight'),
            param(params, 'quantize.embedding_vqgan.weight'),
          )
          .fHat.square()
          .mean(),
      true,
    ],
    ['teacher target (forward only)', () => teacher.semanticTarget(x).mean(), false],
    [
      'perceptual distance',
      () => perceptualDistance(teacher.perceptualFeatures(scaled(x)), teacher.perceptualFeatures(x)) as tf.Scalar,
      true,
    ],
  ];
  let total = 0;
  for (const [name, f, backward] of parts) {
    let ms = 0;
    for (let r = 0; r <= REPEATS; r++) {
      const t0 = performance.now();
      if (backward) {
        const { value, grads } = tf.variableGrads(f, vars);
        value.dataSync();
        tf.dispose([value, ...Object.values(grads)]);
      } else tf.tidy(() => void f().dataSync());
      if (r > 0) ms += (performance.now() - t0) / REPEATS / BATCH;
    }
    total += ms;
    console.log(
      `${name.padEnd(30)} ${ms.toFixed(0).padStart(6)} ms per image${backward ? ' (forward + backward)' : ''}`,
    );
  }
  console.log(`${'sum'.padEnd(30)} ${total.toFixed(0).padStart(6)} ms per image on one thread`);
}

main().catch((e: unknown) => {
  console.error(`train:profile: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
