import type { IncomingMessage } from 'node:http';

/**
 * The body of `request` as UTF-8 text; undefined once it is longer than `limit` bytes, the rest then left unread (answer
 * with `Connection: close`), or when the request broke off (nobody reads an answer then). A sender cannot make the
 * server hold more than `limit` bytes for it.
 *
 * @example
 * const token = await readBody(request, MAX_TOKEN_LENGTH);
 * if (token === undefined) return reply(response, 413, 'too long', { Connection: 'close' });
 */
export function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const take = (chunk: Buffer) => {
      length += chunk.length;
      if (length <= limit) return void chunks.push(chunk);
      request.off('data', take);
      request.pause();
      resolve(undefined);
    };
    request.on('data', take);
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', () => resolve(undefined));
  });
}
