/**
 * A content-addressed store: blobs named by their SHA-256 and an action cache from instance
 * cache key to manifest. The local folder, a shared folder (file://) and S3 implement it; the
 * runner and the `dag cache` commands see only this. Implementations check nothing: callers
 * re-hash every blob they read and decode every manifest as untrusted.
 */
export interface Store {
  readonly url: string;
  getManifest(key: string): Promise<Uint8Array | null>;
  /** Write a manifest unless one exists for the key; true when this call wrote it. */
  putManifestIfAbsent(key: string, bytes: Uint8Array): Promise<boolean>;
  hasBlob(hash: string): Promise<boolean>;
  getBlob(hash: string): Promise<Uint8Array | null>;
  /** Write a blob; one already there is kept unless `replace` (it was found corrupt). */
  putBlob(hash: string, bytes: Uint8Array, replace?: boolean): Promise<void>;
}

/** Two-character fan-out folders keep directories small (git's objects/ layout). */
export function shardedName(name: string, ext = ''): string {
  return `${name.slice(0, 2)}/${name}${ext}`;
}
