// review.* and projects.git: an agent's changes against its base branch, one file's diff, and landing or
// discarding its work (AgentReview); a project's git status. The actions answer once their audit entries are
// on disk, and raise `review.changed` (shared/review.ts).
import type { AgentReview } from '../../core/review/agent-review.js';
import type { ProjectGitStatus } from '../../core/review/project-git-status.js';
import type { Handlers, HandlersOf } from './handlers.js';

export interface ReviewHandlersDeps {
  review: AgentReview;
  gitStatus: Pick<ProjectGitStatus, 'of'>;
  /** a project's root by id or root (the only open project when omitted) */
  rootOf: (project: string | undefined) => string;
}

export function reviewHandlers({
  review,
  gitStatus,
  rootOf,
}: ReviewHandlersDeps): HandlersOf<'review'> & Pick<Handlers, 'projects.git'> {
  return {
    'review.summary': (i) => review.summary(i.agent, i.limit),
    'review.file': (i) => review.file(i.agent, i.path, i.maxBytes),
    'review.commit': (i) => review.commit(i.agent, i.message),
    'review.check': async (i) => ({ conflicts: await review.check(i.agent, i.strategy) }),
    'review.merge': (i) =>
      review.merge({ agent: i.agent, strategy: i.strategy, commitMessage: i.commitMessage, cleanup: i.cleanup }),
    'review.discard': async (i) => ({
      discarded: await review.discard(i.agent, { keepBranch: i.keepBranch, force: i.force }),
    }),
    'projects.git': (i) => gitStatus.of(rootOf(i.project)),
  };
}
