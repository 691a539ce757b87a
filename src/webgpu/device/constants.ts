// WebGPU's flag values, spelled out: in Node the `GPUBufferUsage` family of
// globals exists only if the caller copied the `webgpu` package's globals onto
// globalThis, and a library must not do that for them.

/** GPUBufferUsage bits. */
export const BufferUsage = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
/** GPUShaderStage.COMPUTE. */
export const SHADER_STAGE_COMPUTE = 0x4;
/** GPUMapMode.READ. */
export const MAP_MODE_READ = 0x1;
