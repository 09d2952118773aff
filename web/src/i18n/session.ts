// The texts of signing in and out, the inactivity warning, and the pages
// shown for an unknown address or a forbidden one.
export const sessionFr = {
  "session.idleTitle": "Votre session va expirer",
  "session.idleText": "Sans activité de votre part, vous serez déconnecté dans",
  "session.stay": "Rester connecté",
  "session.expired": "Vous avez été déconnecté après une période d'inactivité. Reconnectez-vous pour continuer.",
  "session.signedOutElsewhere": "Vous avez été déconnecté : la session a pris fin (déconnexion dans un autre onglet, inactivité, ou compte modifié par un administrateur).",
  "refused.notFoundTitle": "Page introuvable",
  "refused.notFoundText": "Aucune page de Recouvra ne se trouve à cette adresse. Le lien est peut-être incomplet ou périmé.",
  "refused.forbiddenTitle": "Accès non autorisé",
  "refused.workspaceText": "Votre rôle ne donne pas accès à cet espace. Si vous pensez en avoir besoin, demandez-le à l'administrateur de l'agence.",
  "refused.resourceText": "Ce dossier n'existe pas ou ne vous est pas accessible : il appartient peut-être à un autre créancier, ou le lien est erroné.",
  "refused.home": "Retour à mon accueil",
  "refused.address": "Adresse demandée :",
} as const;

export const sessionEn: Record<keyof typeof sessionFr, string> = {
  "session.idleTitle": "Your session is about to expire",
  "session.idleText": "Without any activity on your part, you will be signed out in",
  "session.stay": "Stay signed in",
  "session.expired": "You were signed out after a period of inactivity. Sign in again to continue.",
  "session.signedOutElsewhere": "You were signed out: the session ended (signed out in another tab, inactivity, or the account changed by an administrator).",
  "refused.notFoundTitle": "Page not found",
  "refused.notFoundText": "No Recouvra page lives at this address. The link may be incomplete or out of date.",
  "refused.forbiddenTitle": "Access not allowed",
  "refused.workspaceText": "Your role does not give access to this workspace. If you think you need it, ask the agency's administrator.",
  "refused.resourceText": "This case does not exist or is not accessible to you: it may belong to another creditor, or the link is wrong.",
  "refused.home": "Back to my home page",
  "refused.address": "Address requested:",
};
