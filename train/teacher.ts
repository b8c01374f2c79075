/**
 * The pretrained network the semantic branch is distilled from and the perceptual loss looks
 * through: the ImageNet-initialised MobileNetV2 shipped inside the `nsfwjs` npm package (MIT,
 * tfjs layers format, uint8-quantised weights), loaded offline from the package's files.
 *
 * - semanticTarget: the stride-16 feature map `block_12_add` (96 channels) of the image enlarged
 *   to 256 pixels — a 16×16 grid, the same grid as TokenFlow's tokens. No gradient needed.
 * - perceptualFeatures: the first MobileNetV2 stages (Conv1 → depthwise → project, batch norms
 *   folded) rebuilt from the same weights with our differentiable ops, because the wasm backend
 *   has no depthwise gradient kernels for the layers model.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { downsampleConv, depthwiseValid, conv1x1, padSpatial } from './nn-ops.ts';
import { tf } from './tf-backend.ts';
import { TEACHER_INPUT } from './tiny-config.ts';

type T4 = tf.Tensor4D;

interface LayersJson {
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

export const TEACHER_SOURCE =
  'nsfwjs@4 dist/models/mobilenet_v2 (MobileNetV2 α=1.0, ImageNet-initialised, fine-tuned on 5 classes; MIT)';
export const TEACHER_LAYER = 'block_12_add';

/**
 * Cuts the stored classifier after `last` (its Flatten head needs a fixed size) and lets the
 * input take any spatial size (the stored model is fixed at 224).
 */
function truncatedTopology(topology: unknown, last: string): object {
  const top = structuredClone(topology) as { model_config?: { config: KerasConfig }; config?: KerasConfig };
  const cfg = top.model_config?.config ?? top.config;
  if (!cfg) throw new Error('nsfwjs MobileNetV2: unexpected model.json layout (no functional config)');
  const end = cfg.layers.findIndex((l) => l.name === last);
  if (end < 0) throw new Error(`nsfwjs MobileNetV2: no layer '${last}'`);
  cfg.layers = cfg.layers.slice(0, end + 1);
  for (const l of cfg.layers) if (l.class_name === 'InputLayer') l.config.batch_input_shape = [null, null, null, 3];
  cfg.output_layers = [[last, 0, 0]];
  return top;
}

interface KerasConfig {
  layers: { name: string; class_name: string; config: Record<string, unknown> }[];
  output_layers: unknown[];
}

interface FoldedConv {
  readonly w: T4;
  readonly scale: tf.Tensor1D;
  readonly shift: tf.Tensor1D;
}

export class MobileNetTeacher {
  private constructor(
    private readonly semantic: tf.LayersModel,
    private readonly conv1: FoldedConv,
    private readonly dw: FoldedConv,
    private readonly project: FoldedConv,
  ) {}

  static async load(): Promise<MobileNetTeacher> {
    const require = createRequire(import.meta.url);
    // The package's exports map hides its model files; locate them next to its entry point.
    const dir = join(dirname(require.resolve('nsfwjs')), '..', 'models', 'mobilenet_v2');
    const json = require(join(dir, 'model.min.js')) as LayersJson;
    const shard = require(join(dir, 'group1-shard1of1.min.js')) as string;
    if (typeof shard !== 'string') throw new Error('nsfwjs MobileNetV2 weights: expected a base64 string module');
    const topology = truncatedTopology(json.modelTopology, TEACHER_LAYER);
    const bytes = Buffer.from(shard, 'base64');
    const full = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: topology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      }),
      { strict: false },
    );
    const semantic = full;
    const fold = (convName: string, bnName: string): FoldedConv => {
      const [w] = full.getLayer(convName).getWeights();
      const bn = full.getLayer(bnName);
      const [gamma, beta, mean, variance] = bn.getWeights();
      const eps = (bn.getConfig() as { epsilon?: number }).epsilon ?? 1e-3;
      const scale = tf.keep(gamma.div(variance.add(eps).sqrt()) as tf.Tensor1D);
      return { w: tf.keep(w.clone() as T4), scale, shift: tf.keep(beta.sub(mean.mul(scale)) as tf.Tensor1D) };
    };
    return new MobileNetTeacher(
      semantic,
      fold('Conv1', 'bn_Conv1'),
      fold('expanded_conv_depthwise', 'expanded_conv_depthwise_BN'),
      fold('expanded_conv_project', 'expanded_conv_project_BN'),
    );
  }

  /** MobileNetV2 (as nsfwjs feeds it) takes RGB in [0, 1]; TokenFlow images are in [-1, 1]. */
  private static toUnit(x: T4): T4 {
    return x.add(1).mul(0.5) as T4;
  }

  semanticTarget(x: T4): T4 {
    return tf.tidy(() => {
      const big =
        x.shape[1] === TEACHER_INPUT ? x : tf.image.resizeBilinear(x, [TEACHER_INPUT, TEACHER_INPUT], false, true);
      return this.semantic.predict(MobileNetTeacher.toUnit(big)) as T4;
    });
  }

  /** Differentiable early features: [Conv1+BN+ReLU6 (32ch, stride 2), depthwise+BN+ReLU6, project+BN (16ch)]. */
  perceptualFeatures(x: T4): T4[] {
    const relu6 = (t: tf.Tensor) => tf.clipByValue(t, 0, 6) as T4;
    const f1 = relu6(
      downsampleConv(MobileNetTeacher.toUnit(x), this.conv1.w, null).mul(this.conv1.scale).add(this.conv1.shift),
    );
    const f2 = relu6(
      depthwiseValid(padSpatial(f1, [1, 1], [1, 1]), this.dw.w)
        .mul(this.dw.scale)
        .add(this.dw.shift),
    );
    const f3 = conv1x1(f2, this.project.w, tf.zeros([this.project.w.shape[3]]))
      .mul(this.project.scale)
      .add(this.project.shift) as T4;
    return [f1, f2, f3];
  }
}

/** LPIPS-style distance: unit-normalise each feature vector over channels, mean squared difference, averaged over layers. */
export function perceptualDistance(a: readonly T4[], b: readonly T4[]): tf.Tensor {
  const unit = (t: T4) => t.mul(tf.rsqrt(t.square().sum(-1, true).add(1e-10)));
  return tf.addN(a.map((fa, i) => unit(fa).sub(unit(b[i])).square().sum(-1).mean())).div(a.length);
}
