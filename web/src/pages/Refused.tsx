import { useEffect, useRef } from "react";
import { Link } from "../components/Link";
import { useI18n } from "../i18n";

// Refused is what a page shows instead of waiting forever or sending the
// person elsewhere without a word: an address no page has ("not found"), a
// workspace the role may not use, or a case the API will not show —
// another creditor's answers 404, like a missing one, so the page says it
// does not exist or is not accessible ("not allowed"). Both lead home.
export function Refused({ kind, home }: { kind: "notFound" | "workspace" | "resource"; home: string }) {
  const { t } = useI18n();
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => title.current?.focus(), [kind]);
  const notFound = kind === "notFound";
  return (
    <section aria-labelledby="refused-title" className="refused" data-testid={notFound ? "not-found" : "not-allowed"}>
      <h1 id="refused-title" ref={title} tabIndex={-1}>
        {t(notFound ? "refused.notFoundTitle" : "refused.forbiddenTitle")}
      </h1>
      <p>{t(notFound ? "refused.notFoundText" : kind === "workspace" ? "refused.workspaceText" : "refused.resourceText")}</p>
      <p>
        {t("refused.address")} <code>{window.location.pathname}</code>
      </p>
      <p>
        <Link to={home}>{t("refused.home")}</Link>
      </p>
    </section>
  );
}
