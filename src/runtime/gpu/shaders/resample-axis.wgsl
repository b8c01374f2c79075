// One axis of a separable resize y = M·X·Mᵀ per channel plane (src/core/resample.ts): the
// matrices themselves come from the scale plan, so this kernel only multiplies. Run once along
// the columns and once along the rows, in that order, like resizePlanes on the CPU.
// Needs element-main.wgsl.

struct ResampleParams {
  channels: u32,
  inRows: u32,
  inCols: u32,
  outRows: u32,
  outCols: u32,
  // 0: resize columns (rows pass through, outRows = inRows); 1: resize rows (outCols = inCols).
  alongRows: u32,
  srcOffset: u32,
  dstOffset: u32,
  // Where this matrix (out × in, row-major) starts in the matrices buffer.
  matrixOffset: u32,
}

@group(0) @binding(0) var<uniform> params: ResampleParams;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> matrices: array<f32>;

fn elementCount() -> u32 {
  return params.channels * params.outRows * params.outCols;
}

fn element(i: u32) {
  let planeSize = params.outRows * params.outCols;
  let c = i / planeSize;
  let row = (i % planeSize) / params.outCols;
  let col = i % params.outCols;
  let plane = params.srcOffset + c * params.inRows * params.inCols;
  var sum = 0.0;
  if (params.alongRows == 0u) {
    let m = params.matrixOffset + col * params.inCols;
    let x = plane + row * params.inCols;
    for (var j = 0u; j < params.inCols; j++) {
      sum += matrices[m + j] * src[x + j];
    }
  } else {
    let m = params.matrixOffset + row * params.inRows;
    let x = plane + col;
    for (var j = 0u; j < params.inRows; j++) {
      sum += matrices[m + j] * src[x + j * params.inCols];
    }
  }
  dst[params.dstOffset + i] = sum;
}
