import { request } from 'node:http';

export interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A GET with the path sent exactly as given (fetch would normalise `..` away before sending). */
export function rawGet(host: string, port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method, headers: { host: `${host}:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface SseEvent {
  event: string;
  data: any;
  /** When it arrived (Date.now()), to order it against other happenings. */
  at: number;
}

/** Collect server-sent events until `stop` says enough (or the timeout). */
export function collectEvents(host: string, port: number, path: string, stop: (events: SseEvent[]) => boolean, timeoutMs = 60000): { ready: Promise<void>; done: Promise<SseEvent[]> } {
  let onReady: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const done = new Promise<SseEvent[]>((resolve, reject) => {
    const events: SseEvent[] = [];
    const req = request({ host, port, path, headers: { host: `${host}:${port}`, accept: 'text/event-stream' } }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!event || data === undefined) continue;
          events.push({ event, data: JSON.parse(data), at: Date.now() });
          if (event === 'hello') onReady();
          if (stop(events)) {
            clearTimeout(timer);
            req.destroy();
            resolve(events);
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`timed out waiting for events; got ${JSON.stringify(events.map((e) => e.event))}`));
    }, timeoutMs);
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.end();
  });
  return { ready, done };
}
