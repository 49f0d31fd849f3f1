// @peculiar/x509 registers its algorithms through tsyringe, which refuses to load unless a Reflect metadata
// API exists (the `reflect-metadata` package, normally). x509 declares no constructor parameters, so the
// few calls tsyringe makes need only this small, WeakMap-backed subset. Installed only when no real
// polyfill is present; imported for its effect before `@peculiar/x509` (see certificate-factory.ts).
type MetadataMap = Map<unknown, unknown>;
interface ReflectMetadataApi {
  getMetadata?(key: unknown, target: object): unknown;
  getOwnMetadata?(key: unknown, target: object): unknown;
  defineMetadata?(key: unknown, value: unknown, target: object): void;
  hasMetadata?(key: unknown, target: object): boolean;
  metadata?(key: unknown, value: unknown): (target: object) => void;
}

const api = Reflect as unknown as ReflectMetadataApi;
if (typeof api.getMetadata !== 'function') {
  const store = new WeakMap<object, MetadataMap>();
  const own = (key: unknown, target: object): unknown => store.get(target)?.get(key);
  const lookup = (key: unknown, target: object): unknown => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const map = store.get(t);
      if (map?.has(key)) return map.get(key);
    }
    return undefined;
  };
  const define = (key: unknown, value: unknown, target: object): void => {
    let map = store.get(target);
    if (!map) store.set(target, (map = new Map()));
    map.set(key, value);
  };
  Object.assign(api, {
    getMetadata: lookup,
    getOwnMetadata: own,
    defineMetadata: define,
    hasMetadata: (key: unknown, target: object): boolean => lookup(key, target) !== undefined,
    metadata: (key: unknown, value: unknown) => (target: object) => define(key, value, target),
  });
}
