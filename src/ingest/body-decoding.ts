// Request-body decompression with a hard cap, so a decompression bomb fails alone with a clear error.

import { createGunzip, createInflate, createBrotliDecompress } from 'node:zlib';
import type { Transform } from 'node:stream';

export class BodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Reads a request stream fully, enforcing `maxBytes` on the compressed and the decompressed size. */
export async function readBody(req: NodeJS.ReadableStream, contentEncoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  let source: NodeJS.ReadableStream = req;
  let decoder: Transform | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else if (encoding === 'br') decoder = createBrotliDecompress();
  else if (encoding !== '' && encoding !== 'identity') throw new BodyError(415, `unsupported Content-Encoding "${contentEncoding}": use gzip, deflate, br or none`);
  if (decoder) {
    let compressed = 0;
    req.on('data', (chunk: Buffer) => {
      compressed += chunk.length;
      if (compressed > maxBytes) decoder!.destroy(new BodyError(413, `request body exceeds ${maxBytes} bytes before decompression`));
    });
    req.pipe(decoder);
    req.on('error', (e) => decoder!.destroy(e));
    source = decoder;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new BodyError(413, `request body exceeds ${maxBytes} bytes${decoder ? ' after decompression' : ''}`);
      }
      chunks.push(chunk);
    }
  } catch (e) {
    if (decoder) decoder.destroy();
    if (e instanceof BodyError) throw e;
    throw new BodyError(400, `could not read ${encoding || 'request'} body: ${(e as Error).message}`);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}
