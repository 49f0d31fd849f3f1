// One of the sidebar's lists of things with a state (the services, the agents): a heading, then a button an
// entry with a coloured dot and its name, the state in its accessible name and its title. In the collapsed
// rail only the dots are drawn; the heading and the names stay for screen readers and in the titles.
export interface SidebarEntry {
  key: string;
  name: string;
  /** what the entry is now, read out after its name: "crashed", "waiting" */
  state: string;
  /** the dot's class: its colour */
  dot: string;
  /** the tooltip: the state in words and what a click does */
  title: string;
  testId: string;
  current: boolean;
  onSelect(): void;
}

export interface SidebarGroupProps {
  /** the heading's id, which names the region */
  id: string;
  heading: string;
  entries: readonly SidebarEntry[];
  compact: boolean;
}

export function SidebarGroup({ id, heading, entries, compact }: SidebarGroupProps) {
  if (entries.length === 0) return null;
  return (
    <section className="sidebar-section" aria-labelledby={id}>
      <h2 id={id} className={compact ? 'sr-only' : 'sidebar-heading'}>
        {heading}
      </h2>
      <ul className="sidebar-list">
        {entries.map((entry) => (
          <li key={entry.key}>
            <button
              type="button"
              className={entry.current ? 'sidebar-item active' : 'sidebar-item'}
              aria-label={`${entry.name}, ${entry.state}`}
              aria-current={entry.current ? 'true' : undefined}
              title={entry.title}
              data-testid={entry.testId}
              data-state={entry.state}
              onClick={entry.onSelect}
            >
              <span className={`dot ${entry.dot}`} aria-hidden="true" />
              {!compact && <span className="sidebar-name">{entry.name}</span>}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
