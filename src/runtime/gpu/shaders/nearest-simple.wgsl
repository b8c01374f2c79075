// One invocation per token streams its chunk of the codebook straight from storage. No shared
// memory and no barriers: the fastest form on CPU implementations such as SwiftShader, where
// "shared memory" is ordinary memory and barriers cost thread switches.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let token = gid.x;
  if (token >= params.tokenCount) {
    return;
  }
  let chunk = gid.y;
  loadQuery(token);
  resetSearch();
  let range = chunkRange(chunk);
  for (var k = range.x; k < range.y; k++) {
    scoreCode(k, k);
  }
  writePartial(chunk, token);
}

// Slot k is code k, read from storage.
fn rowSemantic(k: u32, i: u32) -> vec4f { return semanticCodes[k * SEM_VEC4 + i]; }
fn rowPixel(k: u32, i: u32) -> vec4f { return pixelCodes[k * PIX_VEC4 + i]; }
fn rowNorms(k: u32) -> vec2f { return codeNorms[k]; }
