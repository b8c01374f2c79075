// f̂ ← f̂ + u_s and residual ← residual − u_s (docs/spec.md §4.1 step 4), element by element in float32
// as PyTorch does. Needs element-main.wgsl.

@group(0) @binding(0) var<storage, read> upsampled: array<f32>;
@group(0) @binding(1) var<storage, read_write> fHat: array<f32>;
@group(0) @binding(2) var<storage, read_write> residual: array<f32>;

fn elementCount() -> u32 {
  return arrayLength(&fHat);
}

fn element(i: u32) {
  let u = upsampled[i];
  fHat[i] = fHat[i] + u;
  residual[i] = residual[i] - u;
}
