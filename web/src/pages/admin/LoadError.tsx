import { useI18n } from "../../i18n";

// LoadError says a list could not be read and offers to read it again.
export function LoadError({ onRetry }: { onRetry: () => void }) {
  const { t } = useI18n();
  return (
    <div role="alert" className="error admin-load-error">
      <p>{t("admin.loadFailed")}</p>
      <button type="button" className="secondary" onClick={onRetry}>{t("admin.retry")}</button>
    </div>
  );
}
