/**
 * The training objective for one batch, and its gradient: pixel L2 + LPIPS-style perceptual
 * distance on MobileNetV2 features + semantic distillation (cosine to MobileNetV2 block_12_add,
 * read from the quantized semantic half through the training-only semantic decoder) +
 * codebook/commitment terms of the multi-scale quantizer.
 */
import type { Params } from './params.ts';
import { param } from './params.ts';
import type { MultiScaleQuantizer } from './quantizer.ts';
import { perceptualDistance, type MobileNetTeacher } from './teacher.ts';
import { tf } from './tf-backend.ts';
import { TINY_SEMANTIC_DECODER } from './tiny-config.ts';
import type { TokenFlowNet } from './tokenflow-net.ts';

export const LOSS_WEIGHTS = { rec: 1, perceptual: 0.1, semantic: 0.25, vq: 1 } as const;

export interface Losses {
  total: number;
  rec: number;
  perceptual: number;
  semantic: number;
  vq: number;
}

export const LOSS_NAMES: readonly (keyof Losses)[] = ['total', 'rec', 'perceptual', 'semantic', 'vq'];

export interface BatchGradients {
  readonly losses: Losses;
  /** Gradient of the total loss per trainable variable, in `vars` order. */
  readonly grads: tf.Tensor[];
  /** Codes chosen at every scale, for usage statistics and dead-code restarts. */
  readonly indices: Int32Array[];
  /** Normalised quantizer inputs of all scales [n, 40]: replacement candidates for dead codes. */
  readonly samples: Float32Array;
}

function cosineLoss(pred: tf.Tensor, target: tf.Tensor): tf.Tensor {
  const dot = pred.mul(target).sum(-1);
  const norms = pred.square().sum(-1).mul(target.square().sum(-1)).add(1e-12).sqrt();
  return tf.scalar(1).sub(dot.div(norms).mean());
}

export function batchGradients(
  net: TokenFlowNet,
  params: Params,
  vars: readonly tf.Variable[],
  teacher: MobileNetTeacher,
  quantizer: MultiScaleQuantizer,
  x: tf.Tensor4D,
  bypassQuantizer = false,
): BatchGradients {
  const D = net.config.semanticCodeDim;
  const target = teacher.semanticTarget(x);
  const losses: Losses = { total: 0, rec: 0, perceptual: 0, semantic: 0, vq: 0 };
  let indices: Int32Array[] = [];
  let samples: Float32Array = new Float32Array(0);
  const { value, grads } = tf.variableGrads(() => {
    const sem = net.semanticEncode(x);
    const pix = net.pixelEncode(x);
    const qr = quantizer.quantize(
      tf.concat([sem, pix], 3) as tf.Tensor4D,
      param(params, 'quantize.embedding_vqkd.weight'),
      param(params, 'quantize.embedding_vqgan.weight'),
      bypassQuantizer,
    );
    indices = qr.indices;
    samples = Float32Array.from(qr.samples.dataSync());
    const fSem = qr.fHat.slice([0, 0, 0, 0], [-1, -1, -1, D]) as tf.Tensor4D;
    const fPix = qr.fHat.slice([0, 0, 0, D], [-1, -1, -1, -1]) as tf.Tensor4D;
    const rec = net.pixelDecode(fPix);
    const lRec = rec.sub(x).square().mean();
    const lPerc = perceptualDistance(teacher.perceptualFeatures(rec), teacher.perceptualFeatures(x));
    const lSem = cosineLoss(net.semanticDecode(fSem, TINY_SEMANTIC_DECODER.grid), target);
    losses.rec = lRec.dataSync()[0];
    losses.perceptual = lPerc.dataSync()[0];
    losses.semantic = lSem.dataSync()[0];
    losses.vq = qr.vqLoss.dataSync()[0];
    return lRec
      .mul(LOSS_WEIGHTS.rec)
      .add(lPerc.mul(LOSS_WEIGHTS.perceptual))
      .add(lSem.mul(LOSS_WEIGHTS.semantic))
      .add(qr.vqLoss.mul(LOSS_WEIGHTS.vq)) as tf.Scalar;
  }, vars as tf.Variable[]);
  losses.total = value.dataSync()[0];
  value.dispose();
  target.dispose();
  return { losses, grads: vars.map((v) => grads[v.name]), indices, samples };
}
