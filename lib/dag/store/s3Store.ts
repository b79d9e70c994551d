import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { shardedName, type Store } from './store.js';

export interface S3Options {
  endpoint?: string;
  region?: string;
  timeoutMs: number;
}

/**
 * A store in an S3 bucket under a prefix (`s3://bucket/prefix`), through the AWS SDK v3 with the
 * standard credential chain. "Write the manifest only if absent" is a HEAD before the PUT: S3
 * servers that ignore `If-None-Match: *` (s3rver, older MinIO) would otherwise let a second
 * writer replace it. The race left between HEAD and PUT is harmless: both writers' manifests
 * describe the same key, and readers verify every blob against it.
 */
export class S3Store implements Store {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(readonly url: string, opts: S3Options) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
    if (!m) throw new Error(`${url}: not an s3://bucket/prefix URL`);
    this.bucket = m[1];
    this.prefix = m[2].replace(/\/+$/, '');
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
      // MinIO, Ceph and s3rver serve buckets as paths, not as host names
      forcePathStyle: Boolean(opts.endpoint),
      maxAttempts: 2,
      requestHandler: { connectionTimeout: opts.timeoutMs, requestTimeout: opts.timeoutMs },
    });
  }

  private objectKey(kind: 'blobs' | 'ac', name: string): string {
    const rel = `${kind}/${kind === 'ac' ? shardedName(name, '.json') : shardedName(name)}`;
    return this.prefix ? `${this.prefix}/${rel}` : rel;
  }

  private async get(key: string): Promise<Uint8Array | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private async has(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async put(key: string, bytes: Uint8Array, ifNoneMatch?: boolean): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ...(ifNoneMatch ? { IfNoneMatch: '*' } : {}) }));
  }

  getManifest(key: string): Promise<Uint8Array | null> {
    return this.get(this.objectKey('ac', key));
  }

  async putManifestIfAbsent(key: string, bytes: Uint8Array): Promise<boolean> {
    const k = this.objectKey('ac', key);
    if (await this.has(k)) return false;
    try {
      await this.put(k, bytes, true);
      return true;
    } catch (err) {
      // a server that honours If-None-Match: another writer got there between HEAD and PUT
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 412) return false;
      throw err;
    }
  }

  hasBlob(hash: string): Promise<boolean> {
    return this.has(this.objectKey('blobs', hash));
  }

  getBlob(hash: string): Promise<Uint8Array | null> {
    return this.get(this.objectKey('blobs', hash));
  }

  putBlob(hash: string, bytes: Uint8Array): Promise<void> {
    return this.put(this.objectKey('blobs', hash), bytes);
  }

  close(): void {
    this.client.destroy();
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.$metadata.httpStatusCode === 404 || err.name === 'NoSuchKey' || err.name === 'NotFound');
}
