import { describe, expect, it } from 'vitest';
import { requestPersistentStorage } from './storage-persistence.ts';

describe('asking for persistent storage', () => {
  it('asks only when storage is not persistent yet, and passes the answer on', async () => {
    const asked: string[] = [];
    const storage = (persisted: boolean, granted: boolean) => ({
      persisted: async () => (asked.push('persisted'), persisted),
      persist: async () => (asked.push('persist'), granted),
    });
    expect(await requestPersistentStorage(storage(true, false))).toBe(true);
    expect(asked).toEqual(['persisted']);
    expect(await requestPersistentStorage(storage(false, false))).toBe(false);
    expect(await requestPersistentStorage(storage(false, true))).toBe(true);
  });

  it('says undefined where the API is missing and false when it throws', async () => {
    expect(await requestPersistentStorage(null)).toBeUndefined();
    const refusing = { persisted: async () => false, persist: async () => Promise.reject(new Error('SecurityError')) };
    expect(await requestPersistentStorage(refusing)).toBe(false);
  });
});
