// Texts of the notifications (the header's bell and its panel) and of the
// live stream's status.
export const notificationsFr = {
  "notif.button": "Notifications",
  "notif.unread": "non lues",
  "notif.title": "Notifications",
  "notif.empty": "Aucune notification.",
  "notif.markAll": "Tout marquer comme lu",
  "notif.close": "Fermer",
  "notif.more": "Plus anciennes",
  "notif.new": "Nouveau",
  "notif.kind.payment": "Paiement de {amount} reçu",
  "notif.kind.payment_reversed": "Paiement de {amount} contrepassé",
  "notif.kind.direct_payment": "Paiement direct de {amount} signalé par le créancier",
  "notif.kind.stage_changed": "Passage à l'étape {stage}",
  "notif.kind.approval_requested": "Votre accord est demandé",
  "live.connecting": "Connexion au direct…",
  "live.on": "En direct",
  "live.off": "Hors ligne — reconnexion…",
} as const;

export const notificationsEn: Record<keyof typeof notificationsFr, string> = {
  "notif.button": "Notifications",
  "notif.unread": "unread",
  "notif.title": "Notifications",
  "notif.empty": "No notifications.",
  "notif.markAll": "Mark all as read",
  "notif.close": "Close",
  "notif.more": "Older",
  "notif.new": "New",
  "notif.kind.payment": "Payment of {amount} received",
  "notif.kind.payment_reversed": "Payment of {amount} reversed",
  "notif.kind.direct_payment": "Direct payment of {amount} reported by the creditor",
  "notif.kind.stage_changed": "Moved to stage {stage}",
  "notif.kind.approval_requested": "Your approval is requested",
  "live.connecting": "Connecting to live updates…",
  "live.on": "Live",
  "live.off": "Offline — reconnecting…",
};
