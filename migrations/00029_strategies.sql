-- +goose Up
-- Collection strategies (issue 14): the agency's plans, the mandates'
-- default plan, each case's place in its plan, the engine's claims on
-- (case, step) pairs and the call tasks it hands to agents.
--
-- strategies, strategy_mandates and strategy_passes are the agency's
-- configuration and its engine's log: nothing is granted to the creditor
-- scope (like users and API keys). case_strategies, strategy_step_runs and
-- call_tasks are about one creditor's cases: row-level security.
CREATE TABLE strategies (
    id                        uuid PRIMARY KEY DEFAULT uuid_v7(),
    name                      text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 120),
    description               text NOT NULL DEFAULT '',
    steps                     jsonb NOT NULL CHECK (jsonb_typeof(steps) = 'array' AND jsonb_array_length(steps) > 0),
    pause_after_payment_days  integer NOT NULL DEFAULT 0 CHECK (pause_after_payment_days BETWEEN 0 AND 365),
    version                   integer NOT NULL DEFAULT 1,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now()
);

-- The strategy a creditor's new cases follow (its mandate's default).
CREATE TABLE strategy_mandates (
    creditor_id  uuid PRIMARY KEY REFERENCES creditors (id),
    strategy_id  uuid NOT NULL REFERENCES strategies (id),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX strategy_mandates_strategy ON strategy_mandates (strategy_id);

-- Where each case stands in its strategy. next_due_on is the date of the
-- step at position, computed by the domain (working days, holidays) when
-- the state changes; NULL when the strategy is done or waits for a call.
CREATE TABLE case_strategies (
    case_id          uuid PRIMARY KEY REFERENCES cases (id),
    creditor_id      uuid NOT NULL REFERENCES creditors (id),
    strategy_id      uuid NOT NULL REFERENCES strategies (id),
    position         integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    last_step        integer,
    last_step_on     date,
    next_due_on      date,
    waiting_task_id  uuid,
    assigned_on      date NOT NULL,
    planned          boolean NOT NULL DEFAULT false, -- next_due_on computed for the current position
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_strategies_due ON case_strategies (next_due_on, case_id) WHERE next_due_on IS NOT NULL AND waiting_task_id IS NULL;
CREATE INDEX case_strategies_strategy ON case_strategies (strategy_id);
CREATE INDEX case_strategies_unplanned ON case_strategies (case_id) WHERE NOT planned;

-- One engine pass (or dry run is never stored: it writes nothing).
CREATE TABLE strategy_passes (
    id           uuid PRIMARY KEY DEFAULT uuid_v7(),
    run_on       date NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    enrolled     integer NOT NULL DEFAULT 0,
    claimed      integer NOT NULL DEFAULT 0
);
CREATE INDEX strategy_passes_started ON strategy_passes (started_at DESC);

-- The claim of one (case, strategy, step): the unique key makes a step run
-- at most once, whatever the number of engines and crashes. A claim is
-- finished (done, skipped, failed for good) in the transaction that acts,
-- so an action and its claim's end commit together.
CREATE TABLE strategy_step_runs (
    id               uuid PRIMARY KEY DEFAULT uuid_v7(),
    case_id          uuid NOT NULL REFERENCES cases (id),
    creditor_id      uuid NOT NULL REFERENCES creditors (id),
    strategy_id      uuid NOT NULL REFERENCES strategies (id),
    step_index       integer NOT NULL CHECK (step_index >= 0),
    pass_id          uuid NOT NULL REFERENCES strategy_passes (id),
    due_on           date NOT NULL,
    channel          text NOT NULL DEFAULT '',
    acted_channel    text NOT NULL DEFAULT '',
    state            text NOT NULL DEFAULT 'claimed' CHECK (state IN ('claimed', 'done', 'skipped', 'failed', 'abandoned')),
    attempts         integer NOT NULL DEFAULT 0,
    reason           text NOT NULL DEFAULT '',
    next_attempt_at  timestamptz,
    claimed_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    UNIQUE (case_id, strategy_id, step_index)
);
CREATE INDEX strategy_step_runs_pass ON strategy_step_runs (pass_id);
CREATE INDEX strategy_step_runs_retry ON strategy_step_runs (next_attempt_at) WHERE state IN ('failed', 'claimed');

-- Calls the engine asks agents to make.
CREATE TABLE call_tasks (
    id            uuid PRIMARY KEY DEFAULT uuid_v7(),
    case_id       uuid NOT NULL REFERENCES cases (id),
    creditor_id   uuid NOT NULL REFERENCES creditors (id),
    step_run_id   uuid REFERENCES strategy_step_runs (id),
    due_at        timestamptz NOT NULL,
    script        text NOT NULL DEFAULT '',
    state         text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
    outcome       text NOT NULL DEFAULT '',
    completed_by  uuid REFERENCES users (id),
    completed_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX call_tasks_open ON call_tasks (case_id) WHERE state = 'open';

GRANT SELECT ON case_strategies, strategy_step_runs, call_tasks TO recouvra_creditor_scope;
ALTER TABLE case_strategies ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON case_strategies USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON case_strategies TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());
ALTER TABLE strategy_step_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON strategy_step_runs USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON strategy_step_runs TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());
ALTER TABLE call_tasks ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON call_tasks USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON call_tasks TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());

-- +goose Down
REVOKE ALL ON case_strategies, strategy_step_runs, call_tasks FROM recouvra_creditor_scope;
DROP TABLE call_tasks;
DROP TABLE strategy_step_runs;
DROP TABLE strategy_passes;
DROP TABLE case_strategies;
DROP TABLE strategy_mandates;
DROP TABLE strategies;
