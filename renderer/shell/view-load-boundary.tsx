// Catches a lazily loaded view whose chunk could not be fetched (the daemon was rebuilt while the page was
// open, so the old hashed file is gone) and says so in place of that view, instead of unmounting the whole UI.
import { Component, type ReactNode } from 'react';

interface Props {
  /** the view, as the message names it */
  name: string;
  children: ReactNode;
}

export class ViewLoadBoundary extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (error === null) return this.props.children;
    return (
      <div className="banner banner-warn" role="alert" data-testid="view-load-error">
        The {this.props.name} view failed to load or render ({error.message}). Reload the window to try again.
      </div>
    );
  }
}
