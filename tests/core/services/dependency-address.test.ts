import { describe, expect, it } from 'vitest';
import { dependencyAddress, dependencyEnvKey, proxyBaseUrl } from '../../../main/core/services/dependency-address.js';

describe('dependencyAddress', () => {
  it('names the variables after the service, in shell-safe capitals', () => {
    expect(dependencyEnvKey('auth-api')).toBe('AUTH_API');
    expect(dependencyEnvKey('db.v2')).toBe('DB_V2');
  });

  it('goes through the proxy while it listens, naming the caller so the proxy can check its range', () => {
    const env = dependencyAddress({
      service: 'auth',
      project: 'shop',
      port: 4100,
      proxyBase: proxyBaseUrl(7777),
      from: 'web',
    });
    expect(env).toEqual({ AUTH_URL: 'http://127.0.0.1:7777/auth.shop;from=web.shop', AUTH_PORT: '4100' });
  });

  it('gives a terminal the proxy address without a caller', () => {
    const env = dependencyAddress({ service: 'auth', project: 'shop', port: null, proxyBase: proxyBaseUrl(7777) });
    expect(env).toEqual({ AUTH_URL: 'http://127.0.0.1:7777/auth.shop' });
  });

  it('falls back to the local instance when the proxy does not listen, and to nothing when neither exists', () => {
    expect(proxyBaseUrl(null)).toBeNull();
    const local = dependencyAddress({ service: 'auth', project: 'shop', port: 4100, proxyBase: null, from: 'web' });
    expect(local).toEqual({ AUTH_URL: 'http://127.0.0.1:4100', AUTH_PORT: '4100' });
    expect(dependencyAddress({ service: 'auth', project: 'shop', port: undefined, proxyBase: null })).toEqual({});
  });
});
