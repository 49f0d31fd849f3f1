// Two panes with a handle between them that the mouse drags and the keyboard moves (focus it, then the arrow
// keys), remembered per view in localStorage (react-resizable-panels' own layout storage). Only the user's
// moves are saved: a window made smaller does not overwrite the sizes picked in a larger one.
import type { ReactNode } from 'react';
import { Group, Panel, Separator, useDefaultLayout } from 'react-resizable-panels';

export interface SplitPanesProps {
  /** names the layout in storage (`services`, `audit`): one per view */
  id: string;
  /** vertical: one pane over the other; horizontal: side by side */
  orientation: 'vertical' | 'horizontal';
  /** the first pane's size at first, in percent of the whole */
  firstSize: number;
  /** what the handle is called for screen readers: "Resize the table and the log" */
  label: string;
  first: ReactNode;
  second: ReactNode;
}

/** the key the layout is stored under (react-resizable-panels prefixes it) */
export const paneStorageId = (id: string): string => `devmesh.panes.${id}`;

export function SplitPanes({ id, orientation, firstSize, label, first, second }: SplitPanesProps) {
  const { defaultLayout, onLayoutChanged } = useDefaultLayout({
    id: paneStorageId(id),
    onlySaveAfterUserInteractions: true,
  });
  return (
    <Group
      id={`panes-${id}`}
      className={`split-panes split-${orientation}`}
      orientation={orientation}
      defaultLayout={defaultLayout}
      onLayoutChanged={onLayoutChanged}
    >
      <Panel id="first" className="split-pane" defaultSize={`${firstSize}%`} minSize="15%">
        {first}
      </Panel>
      <Separator id={`panes-${id}-handle`} className="split-handle" aria-label={label} />
      <Panel id="second" className="split-pane" defaultSize={`${100 - firstSize}%`} minSize="15%">
        {second}
      </Panel>
    </Group>
  );
}
