/**
 * The multi-scale residual loop of docs/spec.md §4.1, independent of how each scale is quantized:
 * residual ← h; per scale r_s = area(residual), q_s = quantize(r_s), u_s = bicubic(q_s → S),
 * f̂ += u_s, residual −= u_s. The CPU quantizer drives it synchronously; a GPU nearest-code
 * kernel can drive the same stepper asynchronously, and tests drive it with golden q_s.
 *
 * Residual and f̂ are float32 and updated element by element as PyTorch does, so they round
 * the way the reference does.
 */
import { resizePlanes } from '../resample.ts';
import type { ScalePlan } from './scale-plan.ts';

export class ResidualScheme {
  readonly plan: ScalePlan;
  readonly channels: number;
  /** Per scale r_s as (1,C,s,s) blocks, scale by scale (the fixtures' `quant_input`). */
  readonly quantInput: Float32Array;
  /** Per scale q_s as (1,C,s,s) blocks (the fixtures' `quant_output`). */
  readonly quantOutput: Float32Array;
  /** f̂ after the scales pushed so far, (1,C,S,S). */
  readonly fHat: Float32Array;
  /** featureOffsets[i] = C·tokenOffsets[i]: where scale i's block starts in quantInput/quantOutput. */
  readonly featureOffsets: readonly number[];
  private readonly residual: Float32Array;
  private step = 0;

  constructor(h: Float32Array, channels: number, plan: ScalePlan) {
    if (!Number.isInteger(channels) || channels < 1)
      throw new Error(`channel count must be a positive integer, got ${channels}`);
    const expected = channels * plan.S * plan.S;
    if (h.length !== expected) {
      throw new Error(`h has ${h.length} values, expected (1,${channels},${plan.S},${plan.S}) = ${expected}`);
    }
    this.plan = plan;
    this.channels = channels;
    this.featureOffsets = plan.tokenOffsets.map((t) => t * channels);
    this.quantInput = new Float32Array(plan.numTokens * channels);
    this.quantOutput = new Float32Array(plan.numTokens * channels);
    this.fHat = new Float32Array(expected);
    this.residual = Float32Array.from(h);
    this.downsampleResidual();
  }

  /** Index into plan.scales of the scale awaiting its q_s; equals scales.length when done. */
  get scaleIndex(): number {
    return this.step;
  }

  get done(): boolean {
    return this.step === this.plan.scales.length;
  }

  /** r_s of the current scale, (1,C,s,s); a view into quantInput. */
  currentInput(): Float32Array {
    this.assertNotDone('currentInput');
    return this.block(this.quantInput, this.step);
  }

  /** Accepts q_s (1,C,s,s) for the current scale and advances to the next. */
  push(q: Float32Array): void {
    this.assertNotDone('push');
    const i = this.step;
    const s = this.plan.scales[i];
    const slot = this.block(this.quantOutput, i);
    if (q.length !== slot.length) {
      throw new Error(
        `quantized map for scale ${s} has ${q.length} values, expected (1,${this.channels},${s},${s}) = ${slot.length}`,
      );
    }
    if (q !== slot) slot.set(q);
    const u = resizePlanes(slot, this.channels, this.plan.up[i]);
    for (let j = 0; j < u.length; j++) {
      this.fHat[j] += u[j];
      this.residual[j] -= u[j];
    }
    this.step++;
    if (!this.done) this.downsampleResidual();
  }

  private downsampleResidual(): void {
    this.block(this.quantInput, this.step).set(resizePlanes(this.residual, this.channels, this.plan.down[this.step]));
  }

  private block(buffer: Float32Array, i: number): Float32Array {
    return buffer.subarray(this.featureOffsets[i], this.featureOffsets[i + 1]);
  }

  private assertNotDone(what: string): void {
    if (this.done)
      throw new Error(`ResidualScheme.${what}: all ${this.plan.scales.length} scales are already quantized`);
  }
}

/** Runs the whole loop with a synchronous per-scale quantizer (r_s, scale index) → q_s. */
export function runResidualScheme(
  h: Float32Array,
  channels: number,
  plan: ScalePlan,
  quantizeScale: (input: Float32Array, scaleIndex: number) => Float32Array,
): ResidualScheme {
  const scheme = new ResidualScheme(h, channels, plan);
  while (!scheme.done) scheme.push(quantizeScale(scheme.currentInput(), scheme.scaleIndex));
  return scheme;
}
