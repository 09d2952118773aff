// Texts of the creditor's 13-week cash forecast (components/Forecast.tsx).
export const forecastFr = {
  "forecast.title": "Prévision d'encaissements sur 13 semaines",
  "forecast.chooseCreditor": "Choisissez un créancier pour voir sa prévision : elle pondère ses promesses par celles que ses débiteurs ont tenues.",
  "forecast.weighting": "Pondération : {rate} des promesses tenues ({kept} tenues, {broken} non tenues).",
  "forecast.neutral": "Aucune promesse encore jugée : pondération neutre de {rate}.",
  "forecast.rule": "Une promesse est tenue quand les paiements reçus depuis qu'elle a été faite la couvrent au plus tard {grace} jours après son échéance.",
  "forecast.week": "Semaine",
  "forecast.from": "du",
  "forecast.promised": "Promis",
  "forecast.expected": "Attendu (pondéré)",
  "forecast.received": "Encaissé",
  "forecast.ahead": "13 semaines à venir",
  "forecast.past": "13 semaines écoulées",
  "forecast.total": "Total",
} as const;

export const forecastEn: Record<keyof typeof forecastFr, string> = {
  "forecast.title": "13-week cash forecast",
  "forecast.chooseCreditor": "Choose a creditor to see its forecast: it weighs its promises by those its debtors kept.",
  "forecast.weighting": "Weighting: {rate} of promises kept ({kept} kept, {broken} broken).",
  "forecast.neutral": "No promise judged yet: neutral weighting of {rate}.",
  "forecast.rule": "A promise is kept when the payments received since it was made cover it at the latest {grace} days after its due date.",
  "forecast.week": "Week",
  "forecast.from": "from",
  "forecast.promised": "Promised",
  "forecast.expected": "Expected (weighted)",
  "forecast.received": "Received",
  "forecast.ahead": "Next 13 weeks",
  "forecast.past": "Last 13 weeks",
  "forecast.total": "Total",
};
