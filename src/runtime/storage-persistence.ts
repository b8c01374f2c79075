/**
 * Asks the browser to keep this site's storage under pressure: without it, a 1.4 GB model in
 * OPFS is "best effort" and may be evicted, and the next visit downloads it again. Only a page
 * can ask (workers have no persist()); Chromium answers from site engagement, without a prompt.
 * Resolves to whether storage is persistent, or undefined where the API is missing.
 */
/** `storage`: default the page's navigator.storage; null means none. */
export async function requestPersistentStorage(
  storage: Pick<StorageManager, 'persist' | 'persisted'> | null | undefined = globalThis.navigator?.storage,
): Promise<boolean | undefined> {
  if (!storage || typeof storage.persist !== 'function') return undefined;
  try {
    if (await storage.persisted?.()) return true;
    return await storage.persist();
  } catch {
    return false;
  }
}
