/**
 * The quantizer's input check, shared by the CPU reference and the WebGPU quantizer so both
 * reject the same inputs with the same words.
 */

/**
 * h must be (1, C, S, S) of finite values. On the GPU a NaN or infinity would turn into arbitrary
 * indices instead of failing, so both quantizers refuse it up front and name its position.
 */
export function checkFeatures(h: Float32Array, C: number, S: number): void {
  if (h.length !== C * S * S) throw new Error(`h has ${h.length} values, expected (1,${C},${S},${S}) = ${C * S * S}`);
  for (let i = 0; i < h.length; i++) {
    if (!Number.isFinite(h[i])) {
      const c = Math.floor(i / (S * S));
      const y = Math.floor((i % (S * S)) / S);
      throw new Error(`h[0,${c},${y},${i % S}] is ${h[i]}; the quantizer needs finite features`);
    }
  }
}
