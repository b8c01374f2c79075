// q_s: the normalised code rows of this scale's joint indices, written as the planar
// (1, C, s, s) block of quantOutput, semantic channels first (docs/spec.md §4 step 6).
// Host-generated constants: SEM_DIM, PIX_DIM, SEM_VEC4, PIX_VEC4. Needs element-main.wgsl.

struct GatherParams {
  tokenCount: u32,
  tokenOffset: u32,
  outputOffset: u32,
}

@group(0) @binding(0) var<uniform> params: GatherParams;
@group(0) @binding(1) var<storage, read> indices: array<u32>;
@group(0) @binding(2) var<storage, read> semanticCodes: array<vec4f>;
@group(0) @binding(3) var<storage, read> pixelCodes: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> quantOutput: array<f32>;

fn elementCount() -> u32 {
  return (SEM_DIM + PIX_DIM) * params.tokenCount;
}

fn element(i: u32) {
  let n = params.tokenCount;
  let c = i / n;
  let k = indices[params.tokenOffset + i % n];
  var value: f32;
  if (c < SEM_DIM) {
    value = semanticCodes[k * SEM_VEC4 + c / 4u][c % 4u];
  } else {
    let cp = c - SEM_DIM;
    value = pixelCodes[k * PIX_VEC4 + cp / 4u][cp % 4u];
  }
  quantOutput[params.outputOffset + i] = value;
}
