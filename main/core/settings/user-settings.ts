// The user's own settings, in $DEVMESH_HOME/config.yaml (all optional): where the proxy listens.
// Environment variables override the file (DEVMESH_PROXY_HTTP_PORT, DEVMESH_PROXY_HTTPS_PORT,
// DEVMESH_PROXY_HOST), which is how tests and a second instance pick other ports.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { DevMeshError } from '../../../shared/errors.js';

const Port = z.number().int().min(0).max(65535);

const SettingsFileSchema = z
  .object({
    proxy: z
      .object({
        /** loopback by default; 0.0.0.0 exposes every service to the network, so it must be asked for */
        host: z.string().min(1).optional(),
        http_port: Port.optional(),
        /** null or false: no HTTPS listener */
        https_port: z.union([Port, z.null(), z.literal(false)]).optional(),
        enabled: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export interface ProxySettings {
  enabled: boolean;
  host: string;
  httpPort: number;
  httpsPort: number | null;
}

export interface UserSettingsData {
  proxy: ProxySettings;
}

export const DEFAULT_PROXY: ProxySettings = { enabled: true, host: '127.0.0.1', httpPort: 7777, httpsPort: 7443 };

export class UserSettings {
  static fileIn(homeDir: string): string {
    return join(homeDir, 'config.yaml');
  }

  static load(homeDir: string, env: NodeJS.ProcessEnv = process.env): UserSettingsData {
    const path = UserSettings.fileIn(homeDir);
    let file: z.output<typeof SettingsFileSchema> = {};
    if (existsSync(path)) {
      let raw: unknown;
      try {
        raw = parse(readFileSync(path, 'utf8')) ?? {};
      } catch (err) {
        throw new DevMeshError('CONFIG_INVALID', `${path}: not valid YAML: ${(err as Error).message}`);
      }
      const parsed = SettingsFileSchema.safeParse(raw);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
        throw new DevMeshError('CONFIG_INVALID', `${path}: ${problems}; see "User settings" in the README`);
      }
      file = parsed.data;
    }
    const p = file.proxy ?? {};
    const proxy: ProxySettings = {
      enabled: p.enabled ?? DEFAULT_PROXY.enabled,
      host: env.DEVMESH_PROXY_HOST ?? p.host ?? DEFAULT_PROXY.host,
      httpPort: UserSettings.port(env.DEVMESH_PROXY_HTTP_PORT, 'DEVMESH_PROXY_HTTP_PORT') ?? p.http_port ?? DEFAULT_PROXY.httpPort,
      httpsPort:
        env.DEVMESH_PROXY_HTTPS_PORT === 'off'
          ? null
          : (UserSettings.port(env.DEVMESH_PROXY_HTTPS_PORT, 'DEVMESH_PROXY_HTTPS_PORT') ??
            (p.https_port === false || p.https_port === null ? null : (p.https_port ?? DEFAULT_PROXY.httpsPort))),
    };
    return { proxy };
  }

  private static port(value: string | undefined, name: string): number | undefined {
    if (value === undefined || value === '') return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      throw new DevMeshError('CONFIG_INVALID', `${name}=${value}: expected a port number 0-65535 (0 picks a free one)`);
    }
    return n;
  }
}
