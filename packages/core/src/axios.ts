import { bodyTooLarge, pipeline, type Engine, type Transport } from './transport';

/** The part of an axios instance the adapter uses (so axios stays an optional peer). */
export interface AxiosLikeInstance {
  request(config: Record<string, unknown>): Promise<{
    status: number;
    headers: unknown;
    data: unknown;
    request?: { res?: { responseUrl?: string } };
  }>;
}

function axiosEngine(instance: AxiosLikeInstance): Engine {
  return async (req) => {
    let res: Awaited<ReturnType<AxiosLikeInstance['request']>>;
    try {
      res = await instance.request({
        method: req.method,
        url: req.url.toString(),
        headers: req.headers,
        data: req.body,
        timeout: req.timeout,
        signal: req.signal,
        maxRedirects: 0,
        maxContentLength: req.maxBodySize,
        maxBodyLength: Infinity,
        responseType: 'text',
        transformResponse: [(d: unknown) => d],
        validateStatus: () => true,
      });
    } catch (err) {
      if (/maxContentLength/i.test(err instanceof Error ? err.message : '')) throw bodyTooLarge(0);
      throw err;
    }
    const headers: Record<string, string> = {};
    const raw = res.headers as Record<string, unknown> | undefined;
    if (raw) for (const [k, v] of Object.entries(raw)) if (v != null) headers[k.toLowerCase()] = String(v);
    const text = typeof res.data === 'string' ? res.data : res.data == null ? '' : JSON.stringify(res.data);
    if (Buffer.byteLength(text) > req.maxBodySize) throw bodyTooLarge(res.status);
    return { status: res.status, headers, text };
  };
}

const axiosTimedOut = (err: unknown): boolean => {
  const code = (err as { code?: string } | undefined)?.code;
  return code === 'ECONNABORTED' || code === 'ETIMEDOUT';
};

/**
 * Use an axios instance you already configured (proxy, interceptors, agents) as the transport.
 * It runs on the same pipeline as the undici transport: one timeout over the whole call, body
 * cap, JSON parsing, same-origin redirects only, secrets redacted from every error.
 */
export function axiosTransport(instance: AxiosLikeInstance): Transport {
  return pipeline(axiosEngine(instance), { isTimeout: axiosTimedOut });
}
