/**
 * WebGPU flag values from the specification. The browser has them as the globals GPUBufferUsage,
 * GPUMapMode and GPUShaderStage, but Node (where the GPU code's unit tests run) has none, so the
 * GPU code uses these. The WebGPU types themselves come from `@webgpu/types`.
 */

/** GPUBufferUsage */
export const BufferUsage = Object.freeze({
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
});

/** GPUMapMode.READ */
export const MAP_MODE_READ = 0x0001;
/** GPUShaderStage.COMPUTE */
export const SHADER_STAGE_COMPUTE = 0x4;
