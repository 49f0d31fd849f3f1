// The parts of OTLP's JSON encoding (OTLP/HTTP with `Content-Type: application/json`) DevMesh reads: metric
// data points of sums and gauges, and log records, each with its resource's and its own attributes. Bodies
// are parsed with zod at the edge; unknown fields pass, wrong types are refused as a whole request.
//
// Source: the OTLP specification, "OTLP/HTTP" and "JSON Protobuf Encoding"
// (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): field names in lowerCamelCase,
// 64-bit integers (intValue, asInt, *TimeUnixNano) as decimal strings (numbers are accepted too), enums as
// integers (AggregationTemporality: 1 = DELTA, 2 = CUMULATIVE; https://opentelemetry.io/docs/specs/otel/metrics/data-model/#sums).
import { z } from 'zod';

/** points or records taken from one request, at most; the rest is refused (partial success) */
export const MAX_ITEMS_PER_REQUEST = 20_000;

const Int64 = z.union([z.string().regex(/^-?\d{1,20}$/), z.number().finite()]);

interface AnyValueShape {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  arrayValue?: { values?: AnyValueShape[] };
  kvlistValue?: { values?: { key: string; value?: AnyValueShape }[] };
  bytesValue?: string;
}

// Depth is bounded by what JSON.parse produced from a bounded body; zod's lazy recursion walks it.
const AnyValueSchema: z.ZodType<AnyValueShape> = z.lazy(() =>
  z.object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: Int64.optional(),
    doubleValue: z.union([z.number(), z.string()]).optional(),
    arrayValue: z.object({ values: z.array(AnyValueSchema).optional() }).optional(),
    kvlistValue: z
      .object({ values: z.array(z.object({ key: z.string(), value: AnyValueSchema.optional() })).optional() })
      .optional(),
    bytesValue: z.string().optional(),
  }),
);

const KeyValueSchema = z.object({ key: z.string().max(256), value: AnyValueSchema.optional() });
const Attributes = z.array(KeyValueSchema).optional();
const ResourceSchema = z.object({ attributes: Attributes }).optional();

const NumberDataPointSchema = z.object({
  attributes: Attributes,
  startTimeUnixNano: Int64.optional(),
  timeUnixNano: Int64.optional(),
  asDouble: z.union([z.number(), z.string()]).optional(),
  asInt: Int64.optional(),
});
const Temporality = z.union([z.number().int(), z.string()]).optional();

const MetricSchema = z.object({
  name: z.string().max(256),
  unit: z.string().max(64).optional(),
  sum: z
    .object({ dataPoints: z.array(NumberDataPointSchema).optional(), aggregationTemporality: Temporality })
    .optional(),
  gauge: z.object({ dataPoints: z.array(NumberDataPointSchema).optional() }).optional(),
});

export const MetricsRequestSchema = z.object({
  resourceMetrics: z
    .array(
      z.object({
        resource: ResourceSchema,
        scopeMetrics: z.array(z.object({ metrics: z.array(MetricSchema).optional() })).optional(),
      }),
    )
    .optional(),
});

const LogRecordSchema = z.object({
  timeUnixNano: Int64.optional(),
  observedTimeUnixNano: Int64.optional(),
  eventName: z.string().max(256).optional(),
  body: AnyValueSchema.optional(),
  attributes: Attributes,
});

export const LogsRequestSchema = z.object({
  resourceLogs: z
    .array(
      z.object({
        resource: ResourceSchema,
        scopeLogs: z.array(z.object({ logRecords: z.array(LogRecordSchema).optional() })).optional(),
      }),
    )
    .optional(),
});

export type AttributeMap = Record<string, string | number | boolean>;
export type Temporality = 'delta' | 'cumulative' | 'gauge';

export interface MetricPoint {
  resource: AttributeMap;
  name: string;
  temporality: Temporality;
  attributes: AttributeMap;
  startNs: string;
  timeNs: string;
  value: number;
}

export interface LogRecordView {
  resource: AttributeMap;
  /** the event's name: the `event.name` attribute, else `eventName`, else a string body */
  name: string;
  attributes: AttributeMap;
  timeNs: string;
}

export interface Taken<T> {
  items: T[];
  /** points or records left out: malformed values, or past MAX_ITEMS_PER_REQUEST */
  rejected: number;
}

function scalar(value: AnyValueShape | undefined): string | number | boolean | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  return undefined; // arrays, maps and bytes carry nothing DevMesh reads
}

export function attributeMap(list: z.infer<typeof KeyValueSchema>[] | undefined): AttributeMap {
  const out: AttributeMap = {};
  for (const kv of list ?? []) {
    const v = scalar(kv.value);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

function temporalityOf(raw: number | string | undefined): Temporality {
  if (raw === 2 || raw === 'AGGREGATION_TEMPORALITY_CUMULATIVE') return 'cumulative';
  // 1 (DELTA); 0 (UNSPECIFIED) and absent are read as delta, which is what Claude Code sends by default
  return 'delta';
}

function time(raw: string | number | undefined): string {
  if (raw === undefined) return '0';
  return typeof raw === 'number' ? String(Math.trunc(raw)) : raw;
}

export function metricPoints(body: z.infer<typeof MetricsRequestSchema>): Taken<MetricPoint> {
  const items: MetricPoint[] = [];
  let rejected = 0;
  for (const rm of body.resourceMetrics ?? []) {
    const resource = attributeMap(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        const temporality: Temporality = metric.sum ? temporalityOf(metric.sum.aggregationTemporality) : 'gauge';
        for (const p of metric.sum?.dataPoints ?? metric.gauge?.dataPoints ?? []) {
          const value = Number(p.asDouble ?? p.asInt ?? NaN);
          if (!Number.isFinite(value) || items.length >= MAX_ITEMS_PER_REQUEST) {
            rejected++;
            continue;
          }
          items.push({
            resource,
            name: metric.name,
            temporality,
            attributes: attributeMap(p.attributes),
            startNs: time(p.startTimeUnixNano),
            timeNs: time(p.timeUnixNano),
            value,
          });
        }
      }
    }
  }
  return { items, rejected };
}

export function logRecords(body: z.infer<typeof LogsRequestSchema>): Taken<LogRecordView> {
  const items: LogRecordView[] = [];
  let rejected = 0;
  for (const rl of body.resourceLogs ?? []) {
    const resource = attributeMap(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) {
        if (items.length >= MAX_ITEMS_PER_REQUEST) {
          rejected++;
          continue;
        }
        const attributes = attributeMap(r.attributes);
        const bodyText = r.body?.stringValue;
        // The instrumentation's own `event.name` attribute first: a tracing bridge fills `eventName` with the
        // tracing event's name, `event <file>:<line>` when none is given, which is what Codex sends beside
        // event.name = codex.sse_event (opentelemetry-appender-tracing layer.rs `set_event_name(metadata.name())`;
        // codex-rs/otel/src/events/shared/log.rs calls `tracing::event!` without a name).
        const named = attributes['event.name'];
        const name = typeof named === 'string' && named !== '' ? named : r.eventName || bodyText || '';
        // time_unix_nano 0 is "unknown" (OTLP logs data model); a tracing bridge sets only the observed time
        const unknown = r.timeUnixNano === undefined || Number(r.timeUnixNano) === 0;
        const at = unknown ? r.observedTimeUnixNano : r.timeUnixNano;
        items.push({ resource, name, attributes, timeNs: time(at) });
      }
    }
  }
  return { items, rejected };
}
