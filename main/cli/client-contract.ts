// The schemas the CLI checks a daemon's messages with when that daemon was built from another contract
// (main/api/contract-fingerprint.ts), or when it refuses a connection. Loaded only then: building the
// contract's schemas (and zod) costs more than the rest of a command's start. The build makes this module a
// file of its own (dist/cli/client-contract.js), so the commands' start does not even read it.
import { apiMethods, type ApiMethod, type ApiTopic } from '../../shared/api.js';
import { ErrorInfoSchema } from '../../shared/errors.js';
import { DevMeshEventSchema } from '../../shared/events.js';
import { RequestRecordSchema, ServiceTrafficSchema } from '../../shared/proxy.js';
import { LogLineSchema } from '../../shared/service.js';
import { ServerMessageSchema } from '../../shared/wire.js';

export interface SafeParser {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false };
}

const topics: Record<ApiTopic, SafeParser> = {
  events: DevMeshEventSchema,
  logs: LogLineSchema,
  requests: RequestRecordSchema,
  traffic: ServiceTrafficSchema.array(),
};

/** the envelope of every message from the daemon */
export const serverMessage: SafeParser = ServerMessageSchema;
/** the JSON body of a refused WebSocket upgrade */
export const errorInfo: SafeParser = ErrorInfoSchema;

export function output(method: ApiMethod): SafeParser {
  return apiMethods[method].output;
}

export function topicItem(topic: ApiTopic): SafeParser {
  return topics[topic];
}
