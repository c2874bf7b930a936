/**
 * A loopback HTTP server that answers like the Hugging Face hub for one model: LFS files (.onnx)
 * through a redirect that carries X-Linked-Etag (SHA-256) and X-Linked-Size, small files with a git
 * blob SHA-1 ETag. It can also misbehave: corrupt bytes, cut connections, missing files.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type HubMode = 'good' | 'corrupt' | 'cut' | 'missing-file';

export interface FakeHub {
  endpoint: string;
  requests(): number;
  close(): Promise<void>;
}

export async function startFakeHub(repo: string, sourceDir: string, mode: HubMode): Promise<FakeHub> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    const url = new URL(req.url!, 'http://x');
    const cdn = url.pathname.startsWith('/cdn/');
    const file = decodeURIComponent(url.pathname.replace(/^\/cdn\//, '/').replace(`/${repo}/resolve/main/`, ''));
    const path = join(sourceDir, file.replace(/^\//, ''));
    if (!existsSync(path) || (mode === 'missing-file' && file.endsWith('tokenizer.json'))) {
      res.writeHead(404).end('Entry not found');
      return;
    }
    const body = readFileSync(path);
    const isLfs = file.endsWith('.onnx');
    if (isLfs && !cdn) {
      const sha = createHash('sha256').update(body).digest('hex');
      res.writeHead(302, { location: `/cdn/${file}`, 'x-linked-etag': `"${sha}"`, 'x-linked-size': String(body.length) }).end();
      return;
    }
    if (!isLfs) {
      const gitSha = createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
      res.setHeader('etag', `"${gitSha}"`);
    }
    const served = mode === 'corrupt' && isLfs ? Buffer.from(body.map((b, i) => (i === 1000 ? b ^ 0xff : b))) : body;
    res.writeHead(200, { 'content-length': String(body.length) });
    if (mode === 'cut' && isLfs) {
      res.write(served.subarray(0, served.length >> 1));
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.end(served);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
