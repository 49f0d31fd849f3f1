// The `locks` channel of the team frames (`{ t: 'team', ch: 'locks', m }`): the messages of the mesh-wide
// lock protocol (mesh-lock-protocol.ts), parsed here with size limits before the protocol sees them.
//
// - held:     opens a link session (first message after a link comes up) and lists the sender's held claims
//             for the project keys both machines have; the receiver checks them against its own (heal).
// - request:  asks the receiver's permission for a claim (Ricart–Agrawala's REQUEST), stamped (at, machine, id).
// - ok:       the permission (Ricart–Agrawala's REPLY); for a state claim it carries the replier's version.
// - busy:     the receiver would defer and the request does not wait: who blocks it, where.
// - queued:   the receiver defers the request (it will send ok later): who blocks it, where.
// - withdraw: the request is over before it was granted (refused, cancelled): forget it if deferred.
//
// Every message carries `c` (the sender's Lamport clock) and `n` (the sender's session number on this link,
// set by its `held`): a message of an older session, re-sent after a reconnect, is dropped. Replies carry
// the `attempt` of the request they answer: a machine asked again after a reconnect answers the new attempt.
import { z } from 'zod';
import { LockModeSchema, LockTargetSchema } from '../../../shared/lock.js';

const MAX_TEXT = 4096;
const MAX_LIST = 10_000;
const Text = (max: number) => z.string().max(max);

export const MachineIdSchema = z.string().min(1).max(128);
/** a project key (16 hex) or another scope every machine of it advertises */
export const ScopeSchema = z.string().min(1).max(128);
export const RequestIdSchema = z.string().min(1).max(256);

/** main/core/locks/target-overlap.ts ResolvedTarget: sent whole, since overlaps() needs prefix and suffix */
export const ResolvedTargetSchema = z
  .object({
    kind: z.enum(['file', 'dir', 'glob']),
    path: Text(MAX_TEXT),
    prefix: Text(MAX_TEXT),
    suffix: Text(MAX_TEXT).nullable(),
    key: Text(MAX_TEXT + 8),
    shown: LockTargetSchema,
  })
  .strict();

/** What a request asks for: a lock on a target, or the exclusive right to compare-and-set one state key. */
export const ClaimSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('lock'), mode: LockModeSchema, target: ResolvedTargetSchema }).strict(),
  z.object({ kind: z.literal('state'), key: Text(512).min(1) }).strict(),
]);
export type Claim = z.infer<typeof ClaimSchema>;

/** A granted claim, as `held` lists it and as conflicts name it. */
export const HeldClaimSchema = z
  .object({
    id: RequestIdSchema,
    scope: ScopeSchema,
    holder: Text(256).min(1),
    holderName: Text(256),
    machine: MachineIdSchema,
    claim: ClaimSchema,
    /** the machines that were unreachable when it was granted ([] when every participant agreed) */
    partitioned: z.array(MachineIdSchema).max(1000),
  })
  .strict();
export type HeldClaim = z.infer<typeof HeldClaimSchema>;

/** Who stands in a request's way: a held claim, or an earlier pending request, on `machine`. */
export const BlockerSchema = z
  .object({
    id: RequestIdSchema,
    holder: Text(256).min(1),
    holderName: Text(256),
    machine: MachineIdSchema,
    claim: ClaimSchema,
    state: z.enum(['held', 'pending']),
  })
  .strict();
export type Blocker = z.infer<typeof BlockerSchema>;

const Stamp = z.number().int().nonnegative();
const base = { c: Stamp, n: Stamp };
const reply = { ...base, id: RequestIdSchema, attempt: Stamp };

export const LockMessageSchema = z.discriminatedUnion('t', [
  z
    .object({
      t: z.literal('held'),
      c: Stamp,
      n: Stamp,
      /** the sender's incarnation (one per daemon start): a new one starts a new session numbering */
      inc: Text(128),
      locks: z.array(HeldClaimSchema).max(MAX_LIST),
    })
    .strict(),
  z
    .object({
      t: z.literal('request'),
      ...base,
      id: RequestIdSchema,
      attempt: Stamp,
      at: Stamp,
      scope: ScopeSchema,
      holder: Text(256).min(1),
      holderName: Text(256),
      claim: ClaimSchema,
      wait: z.boolean(),
    })
    .strict(),
  z.object({ t: z.literal('ok'), ...reply, version: Stamp.optional() }).strict(),
  z.object({ t: z.literal('busy'), ...reply, blockers: z.array(BlockerSchema).min(1).max(MAX_LIST) }).strict(),
  z.object({ t: z.literal('queued'), ...reply, blockers: z.array(BlockerSchema).min(1).max(MAX_LIST) }).strict(),
  z.object({ t: z.literal('withdraw'), ...base, id: RequestIdSchema }).strict(),
]);
export type LockMessage = z.infer<typeof LockMessageSchema>;
export type RequestMessage = Extract<LockMessage, { t: 'request' }>;
