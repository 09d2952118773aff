-- +goose Up
-- Payment plans (échéanciers, recouvra.Plan): a case's debt spread over
-- dated instalments. The mandate says which plans the agency may accept
-- without asking the creditor (longest duration, smallest first payment and
-- instalment), how many missed instalments break a plan, and whether
-- interest is frozen while one is kept. A plan outside those rules waits
-- for the creditor's approval (pending_approval); a court-granted delay
-- (C. civ. 1343-5, two years at most) is recorded with origin 'court'.
--
-- The case names the plan it is keeping (running_plan_id): a payment reads
-- the plan only then, and the stage guards refuse a formal notice while it
-- is set. Instalments keep what the payments matched to them (paid_cents)
-- and their status as last judged; the periodic sweep reads the unpaid ones
-- whose grace has ended through plan_instalments_open_by_due.
ALTER TABLE creditors
    ADD COLUMN plan_max_months            integer NOT NULL DEFAULT 12 CHECK (plan_max_months BETWEEN 1 AND 60),
    ADD COLUMN plan_min_first_cents       bigint  NOT NULL DEFAULT 0 CHECK (plan_min_first_cents >= 0),
    ADD COLUMN plan_min_instalment_cents  bigint  NOT NULL DEFAULT 0 CHECK (plan_min_instalment_cents >= 0),
    ADD COLUMN plan_misses_before_broken  integer NOT NULL DEFAULT 1 CHECK (plan_misses_before_broken BETWEEN 1 AND 12),
    ADD COLUMN plan_interest_frozen       boolean NOT NULL DEFAULT false;

CREATE TABLE plans (
    id                    uuid PRIMARY KEY DEFAULT uuid_v7(),
    case_id               uuid NOT NULL REFERENCES cases (id),
    creditor_id           uuid NOT NULL REFERENCES creditors (id), -- the case's, for scoping
    origin                text NOT NULL CHECK (origin IN ('agent', 'debtor', 'court')),
    status                text NOT NULL CHECK (status IN ('pending_approval', 'kept', 'completed', 'broken', 'refused', 'cancelled')),
    currency              char(3) NOT NULL,
    total_cents           bigint NOT NULL CHECK (total_cents > 0),
    interest_frozen       boolean NOT NULL,
    grace_days            integer NOT NULL CHECK (grace_days BETWEEN 0 AND 30),
    misses_before_broken  integer NOT NULL CHECK (misses_before_broken >= 1),
    made_on               date NOT NULL,
    deviations            jsonb NOT NULL DEFAULT '[]',
    court                 text NOT NULL DEFAULT '',
    court_decision_on     date,
    resumes_plan_id       uuid REFERENCES plans (id),
    decision_reason       text NOT NULL DEFAULT '',
    decided_on            date,
    signed_on             date,
    created_by            uuid REFERENCES users (id),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plans_by_case ON plans (case_id, created_at);
CREATE INDEX plans_by_creditor ON plans (creditor_id, status);
-- At most one open plan (running or waiting for approval) per case.
CREATE UNIQUE INDEX plans_one_open ON plans (case_id) WHERE status IN ('pending_approval', 'kept');

CREATE TABLE plan_instalments (
    plan_id       uuid NOT NULL REFERENCES plans (id),
    seq           integer NOT NULL CHECK (seq >= 0),
    creditor_id   uuid NOT NULL REFERENCES creditors (id), -- the plan's, for scoping
    due_on        date NOT NULL,
    amount_cents  bigint NOT NULL CHECK (amount_cents > 0),
    paid_cents    bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0 AND paid_cents <= amount_cents),
    status        text NOT NULL DEFAULT 'due' CHECK (status IN ('due', 'paid', 'late', 'missed')),
    PRIMARY KEY (plan_id, seq)
);
CREATE INDEX plan_instalments_open_by_due ON plan_instalments (due_on) WHERE status IN ('due', 'late');
CREATE INDEX plan_instalments_by_creditor ON plan_instalments (creditor_id, due_on) WHERE status IN ('due', 'late');

ALTER TABLE cases ADD COLUMN running_plan_id uuid REFERENCES plans (id);

GRANT SELECT ON plans, plan_instalments TO recouvra_creditor_scope;
ALTER TABLE plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON plans USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON plans TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());
ALTER TABLE plan_instalments ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON plan_instalments USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON plan_instalments TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());

-- +goose Down
ALTER TABLE cases DROP COLUMN running_plan_id;
REVOKE ALL ON plans, plan_instalments FROM recouvra_creditor_scope;
DROP TABLE plan_instalments;
DROP TABLE plans;
ALTER TABLE creditors
    DROP COLUMN plan_max_months, DROP COLUMN plan_min_first_cents, DROP COLUMN plan_min_instalment_cents,
    DROP COLUMN plan_misses_before_broken, DROP COLUMN plan_interest_frozen;
