import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pinoHttp, { type HttpLogger } from 'pino-http';
import type { Logger } from '../logging/logger';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** One JSON line per request, each with a request id; query strings are dropped because they can carry codes. */
export function requestLogging(logger: Logger): HttpLogger<IncomingMessage, ServerResponse> {
  return pinoHttp<IncomingMessage, ServerResponse>({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel(_req: IncomingMessage, res: ServerResponse, err?: Error) {
      if (err || res.statusCode >= 500) return 'error';
      return 'info';
    },
    serializers: {
      req(req: IncomingMessage & { id?: string }) {
        return { id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] };
      },
      res(res: { statusCode: number }) {
        return { status: res.statusCode };
      },
    },
    quietReqLogger: true,
    wrapSerializers: false,
  });
}
