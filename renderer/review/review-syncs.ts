// The Review view's sync, one per window's stores, made on first use and kept for the page's life (like the
// coordination syncs): the agents strip opens an agent's review through it before the view's chunk loads.
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { AppStores } from '../state/app-stores.js';
import { useApp } from '../shell/app-context.js';
import { ReviewSync } from './review-sync.js';

const created = new WeakMap<AppStores, ReviewSync>();

export function reviewSync(client: DevMeshClient, stores: AppStores): ReviewSync {
  let sync = created.get(stores);
  if (!sync) {
    sync = new ReviewSync(client, stores);
    created.set(stores, sync);
  }
  return sync;
}

export function useReview(): ReviewSync {
  const { client, stores } = useApp();
  return reviewSync(client, stores);
}

/** Shows `agentId`'s work in the Review view (the agents strip's Review button). */
export function openReview(client: DevMeshClient, stores: AppStores, agentId: string): void {
  reviewSync(client, stores).showAgent(agentId);
  stores.view.getState().show('review');
}
