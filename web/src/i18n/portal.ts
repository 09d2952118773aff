// Texts of the creditor portal: dashboard and new-case form.
export const portalFr = {
  "portal.title": "Mon portefeuille",
} as const;

export const portalEn: Record<keyof typeof portalFr, string> = {
  "portal.title": "My portfolio",
};
