// Events the core emits and every face can follow (WebSocket subscription, Electron IPC, tray).
import { z } from 'zod';
import { AlertRaisedEventSchema, PeerEventSchema, PeerServiceEventSchema } from './mesh.js';
import { TerminalEventSchema } from './terminal.js';
import { HealthChangedEventSchema } from './health.js';
import { AgentStatusEventSchema, AgentSupervisedEventSchema } from './agent.js';
import { LockChangedEventSchema } from './lock.js';
import { TaskEventSchema } from './task.js';
import { MessageDeliveredEventSchema, MessageEventSchema, StateEventSchema } from './message.js';
import {
  TeamAgentEventSchema,
  TeamLockConflictEventSchema,
  TeamLocksEventSchema,
  TeamMachineEventSchema,
} from './team.js';
import { ProjectInfoSchema, ServiceInfoSchema, ServiceStateSchema } from './service.js';
import { ReminderChangedEventSchema, ReminderFiredEventSchema } from './reminder.js';
import { FilesChangedEventSchema, LockBypassedEventSchema } from './files.js';
import { ReviewChangedEventSchema } from './review.js';
import { AgentUsageEventSchema } from './usage.js';
import { DatabaseChangedEventSchema } from './database.js';
import { MetricsAlertEventSchema, MetricsSampledEventSchema } from './metrics.js';

export const ServiceStateEventSchema = z.object({
  type: z.literal('service.state'),
  ts: z.number(),
  project: z.string(),
  service: z.string(),
  from: ServiceStateSchema,
  to: ServiceStateSchema,
  reason: z.string().nullable(),
  info: ServiceInfoSchema,
});

export const ProjectOpenedEventSchema = z.object({
  type: z.literal('project.opened'),
  ts: z.number(),
  project: ProjectInfoSchema,
});

export const ProjectClosedEventSchema = z.object({
  type: z.literal('project.closed'),
  ts: z.number(),
  projectId: z.string(),
});

export const ProjectReloadedEventSchema = z.object({
  type: z.literal('project.reloaded'),
  ts: z.number(),
  project: ProjectInfoSchema,
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.string()),
});

/** git identified a project after it opened (a huge history): `project.identity` is now set */
export const ProjectIdentifiedEventSchema = z.object({
  type: z.literal('project.identified'),
  ts: z.number(),
  project: ProjectInfoSchema,
});

export const ProjectConfigErrorEventSchema = z.object({
  type: z.literal('project.config-error'),
  ts: z.number(),
  projectId: z.string(),
  message: z.string(),
});

export const DevMeshEventSchema = z.discriminatedUnion('type', [
  ServiceStateEventSchema,
  ProjectOpenedEventSchema,
  ProjectClosedEventSchema,
  ProjectReloadedEventSchema,
  ProjectIdentifiedEventSchema,
  ProjectConfigErrorEventSchema,
  PeerEventSchema,
  PeerServiceEventSchema,
  AlertRaisedEventSchema,
  TerminalEventSchema,
  AgentStatusEventSchema,
  LockChangedEventSchema,
  TaskEventSchema,
  MessageEventSchema,
  MessageDeliveredEventSchema,
  StateEventSchema,
  HealthChangedEventSchema,
  TeamMachineEventSchema,
  TeamAgentEventSchema,
  TeamLockConflictEventSchema,
  TeamLocksEventSchema,
  ReminderChangedEventSchema,
  ReminderFiredEventSchema,
  AgentSupervisedEventSchema,
  ReviewChangedEventSchema,
  FilesChangedEventSchema,
  LockBypassedEventSchema,
  AgentUsageEventSchema,
  DatabaseChangedEventSchema,
  MetricsSampledEventSchema,
  MetricsAlertEventSchema,
]);
export type DevMeshEvent = z.infer<typeof DevMeshEventSchema>;
export type ServiceStateEvent = z.infer<typeof ServiceStateEventSchema>;
