import { useEffect, useState } from "react";
import type { Schemas } from "../api/client";
import { allCreditors } from "../lib/creditors";

// useActingCreditor is the creditor a portal screen acts for: a creditor's
// own, fixed; staff (admin, agent) choose one first, from every creditor,
// read once when the screen opens. creditorId is "" until chosen.
export function useActingCreditor(me: Schemas["Me"]) {
  const staff = me.role !== "creditor";
  const [creditors, setCreditors] = useState<Schemas["Creditor"][]>([]);
  const [creditorId, setCreditorId] = useState(staff ? "" : (me.creditor_id ?? ""));
  useEffect(() => {
    if (staff) void allCreditors().then((cs) => cs && setCreditors(cs));
  }, [staff]);
  return { staff, creditors, creditorId, setCreditorId };
}

// CreditorChoice is staff's select of the creditor a screen acts for, with
// its label and hint (ids `${id}` and `${id}-hint`).
export function CreditorChoice({
  id,
  label,
  hint,
  creditors,
  value,
  onChange,
}: {
  id: string;
  label: string;
  hint: string;
  creditors: Schemas["Creditor"][];
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={`${id}-hint`}>
        <option value="">—</option>
        {creditors.map((c) => (
          <option key={c.id} value={c.id}>
            {c.legal_name}
          </option>
        ))}
      </select>
      <small id={`${id}-hint`} className="hint">
        {hint}
      </small>
    </div>
  );
}
