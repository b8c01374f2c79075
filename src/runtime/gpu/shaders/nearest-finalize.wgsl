// Merges the per-chunk results of one scale into the final indices, margins and candidates.
// Chunks are visited in code order and each contributes its best then its runner-up to the same
// track() rule the search uses, which yields the global best (earliest chunk on ties) and the
// global runner-up; candidate lists are merged with the same insertion rule. With one chunk this
// is a copy. Needs search-state.wgsl and element-main.wgsl (one element per token).

struct FinalizeParams {
  tokenCount: u32,
  // Where this scale's tokens start in the scale-major token sequence.
  tokenOffset: u32,
  // Σ s²: the semantic-only and pixel-only rows of indices/margins start at 1× and 2× this.
  totalTokens: u32,
  chunkCount: u32,
}

@group(0) @binding(0) var<uniform> params: FinalizeParams;
@group(0) @binding(1) var<storage, read> partials: array<Partial>;
@group(0) @binding(2) var<storage, read> partialCandidates: array<Candidate>;
@group(0) @binding(3) var<storage, read_write> indices: array<u32>;
@group(0) @binding(4) var<storage, read_write> margins: array<f32>;
@group(0) @binding(5) var<storage, read_write> candidates: array<Candidate>;

fn elementCount() -> u32 {
  return params.tokenCount;
}

fn element(token: u32) {
  resetSearch();
  for (var chunk = 0u; chunk < params.chunkCount; chunk++) {
    let r = chunk * params.tokenCount + token;
    let p = partials[r];
    // A runner-up never becomes best here (it is ≥ its own chunk's best), so its index is unused.
    track(&joint, p.best.x, p.index.x);
    track(&joint, p.second.x, NO_CODE);
    track(&semanticOnly, p.best.y, p.index.y);
    track(&semanticOnly, p.second.y, NO_CODE);
    track(&pixelOnly, p.best.z, p.index.z);
    track(&pixelOnly, p.second.z, NO_CODE);
    for (var j = 0u; j < TOP_K; j++) {
      let c = partialCandidates[r * TOPK_SLOTS + j];
      // A chunk smaller than TOP_K leaves empty slots.
      if (c.index != NO_CODE) {
        offerCandidate(c.index, c.distance, c.semantic, c.pixel);
      }
    }
  }
  let t = params.tokenOffset + token;
  let total = params.totalTokens;
  indices[t] = joint.index;
  indices[total + t] = semanticOnly.index;
  indices[2u * total + t] = pixelOnly.index;
  // With K = 1 the runner-up stays NO_DISTANCE; the host turns such margins into Infinity.
  margins[t] = joint.second - joint.best;
  margins[total + t] = semanticOnly.second - semanticOnly.best;
  margins[2u * total + t] = pixelOnly.second - pixelOnly.best;
  for (var j = 0u; j < TOP_K; j++) {
    candidates[t * TOP_K + j] = Candidate(candidateIndex[j], candidateDistance[j], candidateSemantic[j], candidatePixel[j]);
  }
}
