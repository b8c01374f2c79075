// WORKGROUP tokens share each tile of WORKGROUP codes: every invocation loads one code into
// workgroup memory, then all of them scan the tile. This cuts storage reads of the codebook by
// WORKGROUP× on real GPUs; the codebook chunks in grid y keep enough workgroups in flight when
// a scale has few tokens. The per-code arithmetic is the same as nearest-simple.wgsl.

var<workgroup> tileSemantic: array<vec4f, WORKGROUP * SEM_VEC4>;
var<workgroup> tilePixel: array<vec4f, WORKGROUP * PIX_VEC4>;
var<workgroup> tileNorms: array<vec2f, WORKGROUP>;

@compute @workgroup_size(WORKGROUP)
fn main(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
  @builtin(workgroup_id) group: vec3<u32>,
) {
  let token = gid.x;
  // Invocations past the last token still load tiles for the others; they just record nothing.
  let hasToken = token < params.tokenCount;
  let chunk = group.y;
  if (hasToken) {
    loadQuery(token);
  }
  resetSearch();
  let range = chunkRange(chunk);
  for (var k0 = range.x; k0 < range.y; k0 += WORKGROUP) {
    let k = k0 + lane;
    if (k < range.y) {
      for (var i = 0u; i < SEM_VEC4; i++) {
        tileSemantic[lane * SEM_VEC4 + i] = semanticCodes[k * SEM_VEC4 + i];
      }
      for (var i = 0u; i < PIX_VEC4; i++) {
        tilePixel[lane * PIX_VEC4 + i] = pixelCodes[k * PIX_VEC4 + i];
      }
      tileNorms[lane] = codeNorms[k];
    }
    workgroupBarrier();
    if (hasToken) {
      let count = min(WORKGROUP, range.y - k0);
      for (var t = 0u; t < count; t++) {
        scoreCode(k0 + t, t);
      }
    }
    workgroupBarrier();
  }
  if (hasToken) {
    writePartial(chunk, token);
  }
}

// Slot t is the tile's t-th code.
fn rowSemantic(t: u32, i: u32) -> vec4f { return tileSemantic[t * SEM_VEC4 + i]; }
fn rowPixel(t: u32, i: u32) -> vec4f { return tilePixel[t * PIX_VEC4 + i]; }
fn rowNorms(t: u32) -> vec2f { return tileNorms[t]; }
