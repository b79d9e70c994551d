/** The executor's settings and Redis URLs: precedence, TLS and passwords, and what messages show. */
import { describe, expect, test } from '@jest/globals';
import { resolveExecutorConfig } from '../../lib/dag/executor/settings.js';
import { redactUrl, redisOptions } from '../../lib/dag/executor/redis.js';
import { jobId } from '../../lib/dag/executor/job.js';
import { queueName } from '../../lib/dag/executor/codeFingerprint.js';

describe('executor settings', () => {
  test('local by default; executor.kind, then --executor decide; DAG_REDIS_URL beats executor.redis', () => {
    expect(resolveExecutorConfig({}, 's.yaml', undefined, {}).kind).toBe('local');
    const cfg = { executor: { kind: 'bullmq', redis: 'redis://a:6379/0' } };
    expect(resolveExecutorConfig(cfg, 's.yaml', undefined, {})).toMatchObject({ kind: 'bullmq', redis: 'redis://a:6379/0', lock_seconds: 30, stalled_check_seconds: 30 });
    expect(resolveExecutorConfig(cfg, 's.yaml', 'local', {}).kind).toBe('local');
    expect(resolveExecutorConfig(cfg, 's.yaml', undefined, { DAG_REDIS_URL: 'rediss://b:6380/1' }).redis).toBe('rediss://b:6380/1');
  });

  test('bad values name the file and key, or the variable', () => {
    expect(() => resolveExecutorConfig({ executor: { kind: 'celery' } }, 's.yaml')).toThrow(/^s\.yaml: executor\.kind: /);
    expect(() => resolveExecutorConfig({ executor: { redis: 'http://x' } }, 's.yaml')).toThrow('s.yaml: executor.redis: must be a redis:// or rediss:// URL');
    expect(() => resolveExecutorConfig({ executor: { lock_second: 1 } }, 's.yaml')).toThrow(/s\.yaml: executor/);
    expect(() => resolveExecutorConfig({}, 's.yaml', 'bullmq', {})).toThrow('the bullmq executor needs a Redis URL: executor.redis in s.yaml or DAG_REDIS_URL');
    expect(() => resolveExecutorConfig({}, 's.yaml', 'bullmq', { DAG_REDIS_URL: 'localhost:6379' })).toThrow("DAG_REDIS_URL: 'localhost:6379' is not a redis:// or rediss:// URL");
  });
});

describe('Redis URLs', () => {
  test('rediss:// with a user, a password (percent-encoded) and a database number', () => {
    expect(redisOptions('rediss://dag:p%40ss@redis.internal:6380/3')).toEqual({
      host: 'redis.internal', port: 6380, db: 3, username: 'dag', password: 'p@ss', tls: { servername: 'redis.internal' }, maxRetriesPerRequest: null,
    });
    expect(redisOptions('redis://:secret@h')).toEqual({ host: 'h', port: 6379, db: 0, password: 'secret', maxRetriesPerRequest: null });
    expect(() => redisOptions('redis://h:6379/zero')).toThrow('redis://h:6379/zero: the path must be a database number (redis://host:6379/0)');
  });

  test('messages never show a password', () => {
    expect(redactUrl('rediss://dag:secret@h:6380/0')).toBe('rediss://dag:***@h:6380/0');
    expect(redactUrl('redis://:secret@h:6379/0')).toBe('redis://:***@h:6379/0');
    expect(redactUrl('redis://h:6379/0')).toBe('redis://h:6379/0');
  });
});

describe('BullMQ names', () => {
  test('job ids and queue names have no colon and are never plain integers', () => {
    const key = '1234567890'.repeat(6) + '1234';
    expect(jobId(key)).toBe(`k-${key}`);
    expect(queueName('ab'.repeat(32))).toBe('dag-abababababababab');
    for (const name of [jobId(key), queueName(key)]) {
      expect(name).not.toContain(':');
      expect(/^\d+$/.test(name)).toBe(false);
    }
  });
});
