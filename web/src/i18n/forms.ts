// Texts shared by every form: the required marker's legend, the summary of
// what to correct, what an amount or a date field reads as it is typed.
export const formsFr = {
  "form.requiredNote": "Les champs marqués * sont obligatoires.",
  "form.missing": "À remplir.",
  "form.summaryTitle": "À corriger :",
  "form.amountRead": "Soit",
  "form.dateRead": "Soit le",
  "app.menu": "Navigation principale",
} as const;

export const formsEn: Record<keyof typeof formsFr, string> = {
  "form.requiredNote": "Fields marked * are required.",
  "form.missing": "Required.",
  "form.summaryTitle": "To correct:",
  "form.amountRead": "That is",
  "form.dateRead": "That is",
  "app.menu": "Main navigation",
};
