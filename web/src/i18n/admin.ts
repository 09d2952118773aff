// Texts of the admin screens: users, creditors and mandates, API keys, rates.
export const adminFr = {
  "admin.title": "Administration",
} as const;

export const adminEn: Record<keyof typeof adminFr, string> = {
  "admin.title": "Administration",
};
