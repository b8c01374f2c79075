/**
 * FNV-1a (32-bit) over an image's bytes. The page shows it as a data attribute so a browser
 * test can check that the pixels decoded in the browser are the ones Node decodes, without
 * reading megabytes back through the DOM.
 */
export function fnv1a32(data: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) {
    h ^= data[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
