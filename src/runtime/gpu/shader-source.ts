/**
 * Builds WGSL variants from `.wgsl` parts plus integer constants. Array lengths in private
 * memory must be compile-time constants in WGSL (pipeline-overridable constants only size
 * workgroup arrays), so dimensions such as the codebook width are baked in by prepending
 * `const NAME: u32 = V;` lines rather than by pipeline overrides.
 */

export type ShaderConstants = Readonly<Record<string, number>>;

export function composeShader(constants: ShaderConstants, ...parts: readonly string[]): string {
  const header = Object.entries(constants).map(([name, value]) => {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name))
      throw new Error(`shader constant name ${JSON.stringify(name)} is not UPPER_SNAKE_CASE`);
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new Error(`shader constant ${name} must be a u32, got ${value}`);
    }
    return `const ${name}: u32 = ${value}u;`;
  });
  return [...header, ...parts].join('\n');
}
