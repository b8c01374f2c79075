// Bindings and per-code work of the nearest-code search, shared by nearest-simple.wgsl and
// nearest-tiled.wgsl so both variants do identical float arithmetic for every (token, code). A
// variant says where it reads code rows from by defining rowSemantic, rowPixel and rowNorms of
// a slot (the code itself, or its place in a workgroup tile).
// One dispatch covers one scale; grid y picks a chunk of the codebook, and each (chunk, token)
// leaves a Partial (plus its top-k list) for nearest-finalize.wgsl to merge.
//
// Host-generated constants: SEM_DIM, PIX_DIM (channels per branch), SEM_VEC4, PIX_VEC4 (the
// same rounded up to whole vec4s; codebook rows are zero-padded to that width), TOP_K, TOPK_SLOTS,
// WORKGROUP.

struct SearchParams {
  tokenCount: u32,
  // Where this scale's r_s block (1, C, s, s) starts in quantInput.
  inputOffset: u32,
  codeCount: u32,
  codesPerChunk: u32,
}

struct Weights {
  semantic: f32,
  pixel: f32,
}

@group(0) @binding(0) var<uniform> params: SearchParams;
@group(0) @binding(1) var<uniform> weights: Weights;
@group(0) @binding(2) var<storage, read> quantInput: array<f32>;
@group(0) @binding(3) var<storage, read> semanticCodes: array<vec4f>;
@group(0) @binding(4) var<storage, read> pixelCodes: array<vec4f>;
// (‖ê_sem,k‖², ‖ê_pix,k‖²)
@group(0) @binding(5) var<storage, read> codeNorms: array<vec2f>;
@group(0) @binding(6) var<storage, read_write> partials: array<Partial>;
@group(0) @binding(7) var<storage, read_write> partialCandidates: array<Candidate>;

struct Query {
  semantic: array<vec4f, SEM_VEC4>,
  pixel: array<vec4f, PIX_VEC4>,
  // (‖ẑ_sem‖², ‖ẑ_pix‖²) of the normalised halves: ≈1, or 0 for an all-zero half.
  squaredNorms: vec2f,
}

// This invocation's token, set by loadQuery.
var<private> query: Query;

// Token p of the planar (1, C, s, s) block, each half divided by max(‖v‖, 1e-12) as F.normalize does.
fn loadQuery(token: u32) {
  var q: Query;
  let n = params.tokenCount;
  let base = params.inputOffset + token;
  var sumSemantic = 0.0;
  for (var c = 0u; c < SEM_DIM; c++) {
    let v = quantInput[base + c * n];
    q.semantic[c / 4u][c % 4u] = v;
    sumSemantic += v * v;
  }
  var sumPixel = 0.0;
  for (var c = 0u; c < PIX_DIM; c++) {
    let v = quantInput[base + (SEM_DIM + c) * n];
    q.pixel[c / 4u][c % 4u] = v;
    sumPixel += v * v;
  }
  let normSemantic = max(sqrt(sumSemantic), 1e-12);
  let normPixel = max(sqrt(sumPixel), 1e-12);
  var sq = vec2f(0.0);
  for (var i = 0u; i < SEM_VEC4; i++) {
    q.semantic[i] = q.semantic[i] / normSemantic;
    sq.x += dot(q.semantic[i], q.semantic[i]);
  }
  for (var i = 0u; i < PIX_VEC4; i++) {
    q.pixel[i] = q.pixel[i] / normPixel;
    sq.y += dot(q.pixel[i], q.pixel[i]);
  }
  q.squaredNorms = sq;
  query = q;
}

// Codes [x, y) of a chunk.
fn chunkRange(chunk: u32) -> vec2<u32> {
  let start = chunk * params.codesPerChunk;
  return vec2<u32>(start, min(params.codeCount, start + params.codesPerChunk));
}

// Code k, whose rows the variant holds at `slot`, against the query. PyTorch's expanded form per
// branch, in its order: (‖ẑ‖² + ‖ê‖²) − 2 ẑ·ê; then the weighted sum.
fn scoreCode(k: u32, slot: u32) {
  var dots = vec2f(0.0);
  for (var i = 0u; i < SEM_VEC4; i++) {
    dots.x += dot(query.semantic[i], rowSemantic(slot, i));
  }
  for (var i = 0u; i < PIX_VEC4; i++) {
    dots.y += dot(query.pixel[i], rowPixel(slot, i));
  }
  let d = (query.squaredNorms + rowNorms(slot)) - 2.0 * dots;
  let dJoint = weights.semantic * d.x + weights.pixel * d.y;
  track(&joint, dJoint, k);
  track(&semanticOnly, d.x, k);
  track(&pixelOnly, d.y, k);
  offerCandidate(k, dJoint, d.x, d.y);
}

fn writePartial(chunk: u32, token: u32) {
  let r = chunk * params.tokenCount + token;
  partials[r] = Partial(
    vec4f(joint.best, semanticOnly.best, pixelOnly.best, 0.0),
    vec4f(joint.second, semanticOnly.second, pixelOnly.second, 0.0),
    vec4<u32>(joint.index, semanticOnly.index, pixelOnly.index, 0u),
  );
  for (var j = 0u; j < TOP_K; j++) {
    partialCandidates[r * TOPK_SLOTS + j] = Candidate(candidateIndex[j], candidateDistance[j], candidateSemantic[j], candidatePixel[j]);
  }
}
