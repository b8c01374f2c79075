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
  let query = loadQuery(token);
  resetSearch();
  let range = chunkRange(chunk);
  for (var k = range.x; k < range.y; k++) {
    var dotSemantic = 0.0;
    for (var i = 0u; i < SEM_VEC4; i++) {
      dotSemantic += dot(query.semantic[i], semanticCodes[k * SEM_VEC4 + i]);
    }
    var dotPixel = 0.0;
    for (var i = 0u; i < PIX_VEC4; i++) {
      dotPixel += dot(query.pixel[i], pixelCodes[k * PIX_VEC4 + i]);
    }
    considerCode(k, query.squaredNorms, codeNorms[k], vec2f(dotSemantic, dotPixel));
  }
  writePartial(chunk, token);
}
