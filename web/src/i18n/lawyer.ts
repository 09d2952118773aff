// Texts of the lawyer's docket and court steps.
export const lawyerFr = {
  "lawyer.title": "Audiences et échéances",
} as const;

export const lawyerEn: Record<keyof typeof lawyerFr, string> = {
  "lawyer.title": "Docket",
};
