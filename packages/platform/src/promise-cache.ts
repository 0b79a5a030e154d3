/** A cache of loads in flight or done, which forgets a load that fails (the next call tries again). */
interface PromiseMap<K, V> {
  get(key: K): Promise<V> | undefined;
  set(key: K, value: Promise<V>): unknown;
  delete(key: K): unknown;
}

/** The cached load for `key`, or `load()` cached until it fails. */
export function cachedLoad<K, V>(cache: PromiseMap<K, V>, key: K, load: () => Promise<V>): Promise<V> {
  let entry = cache.get(key);
  if (!entry) {
    entry = load();
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}
