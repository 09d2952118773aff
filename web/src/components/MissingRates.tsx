import { useEffect, useState } from "react";
import { api } from "../api/client";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { todayISO } from "../lib/dates";
import { missingRates } from "../lib/rates";
import { Link } from "./Link";

// MissingRates warns the admin and the lawyers, where they work, that a
// legal rate of the current half-year is not entered yet: every statement
// is provisional and no injunction request can leave. The admin gets the
// link to enter it; a lawyer, who may not, is told who does.
export function MissingRates({ canEnter }: { canEnter: boolean }) {
  const { t } = useI18n();
  const [missing, setMissing] = useState<{ half: string; kinds: string[] } | null>(null);
  useEffect(() => {
    void api.GET("/api/v1/rates").then(({ data }) => data && setMissing(missingRates(data.items, todayISO())));
  }, []);
  if (!missing || missing.kinds.length === 0) return null;
  const kinds = missing.kinds.map((k) => t(`rates.kind.${k}` as Key)).join(", ");
  return (
    <p className="warning" role="status" data-testid="missing-rates">
      {t("rates.missing").replace("{half}", missing.half).replace("{kinds}", kinds)}{" "}
      {canEnter ? <Link to="/admin/taux">{t("rates.enter")}</Link> : t("rates.missingAsk")}
    </p>
  );
}
