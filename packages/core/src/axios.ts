import { CampusAuthError } from './errors';
import {
  DEFAULT_MAX_BODY,
  DEFAULT_TIMEOUT,
  buildUrl,
  encodeBody,
  finishResponse,
  networkError,
  requestSecrets,
  timeoutError,
  tooLargeError,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from './transport';
import { redactUrl } from './redact';

/** The part of an axios instance the adapter uses (so axios stays an optional peer). */
export interface AxiosLikeInstance {
  request(config: Record<string, unknown>): Promise<{
    status: number;
    headers: unknown;
    data: unknown;
    request?: { res?: { responseUrl?: string } };
  }>;
}

/**
 * Use an axios instance you already configured (proxy, interceptors, agents) as the transport.
 * Same contract as the undici transport: one timeout over the whole call, body cap, JSON parsing,
 * same-origin redirects only, secrets redacted.
 */
export function axiosTransport(instance: AxiosLikeInstance): Transport {
  return async function viaAxios<T>(req: TransportRequest): Promise<TransportResponse<T>> {
    const secrets = requestSecrets(req);
    const timeout = req.timeout ?? DEFAULT_TIMEOUT;
    const maxBody = req.maxBodySize ?? DEFAULT_MAX_BODY;
    let url: URL;
    try {
      url = buildUrl(req.url, req.query);
    } catch {
      throw new CampusAuthError('ERR_CONFIG', `invalid URL for ${req.platform ?? 'platform'}: ${redactUrl(req.url, secrets)}`, {
        platform: req.platform,
        secrets,
      });
    }
    const { body, contentType } = encodeBody(req);
    const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.1', ...(req.headers ?? {}) };
    if (contentType) headers['content-type'] = contentType;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    try {
      let target = url;
      let method: string = req.method;
      let data = body;
      for (let hop = 0; ; hop++) {
        const res = await instance.request({
          method,
          url: target.toString(),
          headers,
          data,
          timeout,
          signal: controller.signal,
          maxRedirects: 0,
          maxContentLength: maxBody,
          maxBodyLength: Infinity,
          responseType: 'text',
          transformResponse: [(d: unknown) => d],
          validateStatus: () => true,
        });
        const resHeaders: Record<string, string> = {};
        const raw = res.headers as Record<string, unknown> | undefined;
        if (raw) for (const [k, v] of Object.entries(raw)) if (v != null) resHeaders[k.toLowerCase()] = String(v);
        if (res.status >= 300 && res.status < 400 && resHeaders.location) {
          const next = new URL(resHeaders.location, target);
          if (next.origin !== url.origin || hop >= 3) {
            throw new CampusAuthError(
              'ERR_BAD_RESPONSE',
              next.origin !== url.origin
                ? `${req.platform ?? 'platform'} redirected ${method} ${redactUrl(target.origin + target.pathname, secrets)} to another host (${next.origin}); not followed`
                : `${req.platform ?? 'platform'} redirected too many times`,
              { platform: req.platform, upstreamStatus: res.status, secrets },
            );
          }
          if (res.status === 303 || ((res.status === 301 || res.status === 302) && method !== 'GET')) {
            method = 'GET';
            data = undefined;
            delete headers['content-type'];
          }
          target = next;
          continue;
        }
        const text = typeof res.data === 'string' ? res.data : res.data == null ? '' : JSON.stringify(res.data);
        if (Buffer.byteLength(text) > maxBody) throw tooLargeError(req, res.status, maxBody, secrets);
        return finishResponse<T>(req, res.status, resHeaders, text, target.toString(), secrets);
      }
    } catch (err) {
      if (err instanceof CampusAuthError) throw err;
      const code = (err as { code?: string }).code;
      const message = err instanceof Error ? err.message : '';
      if (timedOut || code === 'ECONNABORTED' || code === 'ETIMEDOUT') throw timeoutError(req, timeout, secrets);
      if (/maxContentLength/i.test(message)) throw tooLargeError(req, 0, maxBody, secrets);
      throw networkError(req, err, secrets);
    } finally {
      clearTimeout(timer);
    }
  };
}
