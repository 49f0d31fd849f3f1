// The typed map of the API's handlers: one per method of shared/api.ts. Each domain's file returns its
// slice (`HandlersOf<'locks'>`); DevMeshApi spreads the slices into one `Handlers`, so a method without a
// handler fails the typecheck.
import type { ApiMethod, ApiOutput, ApiParsedInput } from '../../../shared/api.js';

export type Handlers = { [M in ApiMethod]: (input: ApiParsedInput<M>) => Promise<ApiOutput<M>> | ApiOutput<M> };

/** the handlers of the methods named `<prefix>.*` */
export type HandlersOf<Prefix extends string> = Pick<Handlers, Extract<ApiMethod, `${Prefix}.${string}`>>;

/**
 * A call naming an agent tells the task board it is alive (its tasks are not silent), after the call's own
 * work has begun (as `alive(who, decisions.bid(i))` reads: the decision first, then the activity).
 */
export function aliveFor(activity: (agentIdOrName: string) => void): <T>(who: string, value: T) => T {
  return (who, value) => {
    activity(who);
    return value;
  };
}
