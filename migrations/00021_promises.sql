-- +goose Up
-- Promises to pay, judged by the payments (recouvra.JudgePromise): one row
-- per promise a person logged. A promise is pending until the payments
-- received from the day it was made cover its amount (kept) or its due date
-- plus the grace days has passed without them (broken); a newer promise on
-- the same case replaces a pending one. The case keeps, as before, its
-- latest pending promise (promise_amount_cents, promise_due_on) and the
-- number of broken ones (broken_promises) for the queue.
--
-- The periodic job reads the pending promises whose grace has ended through
-- promises_pending_by_due, then judges each one with its case locked: the
-- status is checked in that same transaction, so two instances or a retry
-- after a crash never write two events for one change.
CREATE TABLE promises (
    id            uuid PRIMARY KEY DEFAULT uuid_v7(),
    case_id       uuid NOT NULL REFERENCES cases (id),
    creditor_id   uuid NOT NULL REFERENCES creditors (id), -- the case's, for scoping
    amount_cents  bigint NOT NULL CHECK (amount_cents > 0),
    currency      char(3) NOT NULL,
    made_on       date NOT NULL,
    due_on        date NOT NULL CHECK (due_on >= made_on),
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'kept', 'broken', 'replaced')),
    decided_on    date, -- when it was last judged kept or broken
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX promises_by_case ON promises (case_id, made_on);
CREATE INDEX promises_pending_by_due ON promises (due_on) WHERE status = 'pending';
CREATE INDEX promises_by_creditor ON promises (creditor_id, status, due_on);

-- The promises pending today, as the cases hold them.
INSERT INTO promises (case_id, creditor_id, amount_cents, currency, made_on, due_on)
SELECT c.id, c.creditor_id, c.promise_amount_cents, c.currency,
       LEAST(c.promise_due_on, COALESCE((SELECT max(e.at)::date FROM events e WHERE e.case_id = c.id AND e.type = 'promise'), c.promise_due_on)),
       c.promise_due_on
FROM cases c
WHERE c.promise_due_on IS NOT NULL AND c.promise_amount_cents > 0;

GRANT SELECT ON promises TO recouvra_creditor_scope;
ALTER TABLE promises ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON promises USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON promises TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());

-- +goose Down
REVOKE ALL ON promises FROM recouvra_creditor_scope;
DROP TABLE promises;
