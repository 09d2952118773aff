// The safety rules of the agent's actions, kept apart from the screens so
// they can be tested: when a payment must be confirmed, and which
// Idempotency-Key a submission carries.

export type PaymentConcern = "above_due" | "large";

export interface PaymentCheck {
  // Why the payment must be confirmed; empty when it need not be.
  concerns: PaymentConcern[];
  // What is still due once the payment is recorded (never below zero)…
  balanceAfterCents: number;
  // …and what it pays beyond that, kept unapplied by the server.
  excessCents: number;
}

// checkPayment says whether recording amountCents against dueCents must be
// confirmed first: when it pays more than is due, or when it reaches the
// agency's threshold for large payments (GET /api/v1/settings).
export function checkPayment(amountCents: number, dueCents: number, largeCents: number): PaymentCheck {
  const concerns: PaymentConcern[] = [];
  if (amountCents > dueCents) concerns.push("above_due");
  if (amountCents >= largeCents) concerns.push("large");
  return {
    concerns,
    balanceAfterCents: Math.max(dueCents - amountCents, 0),
    excessCents: Math.max(amountCents - Math.max(dueCents, 0), 0),
  };
}

// Submission gives each submission of a form its Idempotency-Key: the same
// values sent again (a double Enter, a retry after a lost answer) carry the
// same key, so the server records them once; other values get a new key.
// done() forgets the key once the server has answered for good.
export class Submission {
  private fingerprint = "";
  private key = "";

  constructor(private readonly newKey: () => string = () => crypto.randomUUID()) {}

  keyFor(values: unknown): string {
    const f = JSON.stringify(values);
    if (f !== this.fingerprint || !this.key) {
      this.fingerprint = f;
      this.key = this.newKey();
    }
    return this.key;
  }

  done(): void {
    this.fingerprint = "";
    this.key = "";
  }
}

// Once runs one action at a time: a second call while the first is still
// running is dropped (a double Enter, a double click), whatever React has
// rendered yet.
export class Once {
  private running = false;

  get busy(): boolean {
    return this.running;
  }

  async run(action: () => Promise<unknown>): Promise<boolean> {
    if (this.running) return false;
    this.running = true;
    try {
      await action();
      return true;
    } finally {
      this.running = false;
    }
  }
}
