// The Audit view: the hash-linked chain of DevMesh's decisions, filtered by kind, actor and time, newest
// first and a page at a time, beside the chosen entry; above them whether the chain verifies.
import { useState } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { SplitPanes } from '../shell/split-panes.js';
import { auditFilterOf } from './audit-filter.js';
import { AuditFilterFormView } from './audit-filter-form.js';
import { AuditEntryDetail, AuditEntryList } from './audit-entries.js';
import { AuditVerify } from './audit-verify.js';
import { useAuditPages } from './use-audit-pages.js';
import '../styles/audit.css';

export function AuditView() {
  const { client, stores } = useApp();
  const form = useStore(stores.audit, (s) => s.form);
  const check = auditFilterOf(form);
  const [reloads, setReloads] = useState(0);
  const pages = useAuditPages(client, check.ok ? check.filter : null, reloads);
  const [selected, setSelected] = useState<number | null>(null);
  return (
    <div className="audit-view" data-testid="audit-view">
      <AuditVerify onVerified={() => setReloads((n) => n + 1)} />
      <AuditFilterFormView form={form} check={check} onChange={(f) => stores.audit.getState().setForm(f)} />
      <SplitPanes
        id="audit"
        orientation="horizontal"
        firstSize={62}
        label="Resize the entries and the chosen entry"
        first={<AuditEntryList pages={pages} selected={selected} onSelect={setSelected} />}
        second={<AuditEntryDetail entry={pages.entries.find((e) => e.seq === selected)} />}
      />
    </div>
  );
}
