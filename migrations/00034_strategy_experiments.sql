-- +goose Up
-- Strategy experiments (issue 14, champion/challenger): a creditor's cases
-- that enter a strategy while an experiment runs are split at random
-- between two or more strategies with set shares. The draw is a hash of
-- the experiment's seed and the case's id (experiment_bucket, equal to
-- recouvra.ExperimentBucket): the same seed gives the same split, and the
-- assignment is recorded per case so that stopping the experiment keeps
-- it. All three tables are about one creditor's cases: row-level security
-- (a creditor sees its own experiments and nothing of another's).

-- experiment_bucket draws a case's bucket in 0..9999: the first 32 bits of
-- md5('<seed>:<case id>') modulo 10,000.
-- +goose StatementBegin
CREATE FUNCTION experiment_bucket(seed bigint, case_id uuid) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (('x' || substr(md5(seed::text || ':' || case_id::text), 1, 8))::bit(32)::bigint % 10000)::integer
$$;
-- +goose StatementEnd

CREATE TABLE strategy_experiments (
    id           uuid PRIMARY KEY DEFAULT uuid_v7(),
    creditor_id  uuid NOT NULL REFERENCES creditors (id),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    seed         bigint NOT NULL,
    started_on   date NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    stopped_on   date,
    stopped_at   timestamptz
);
-- One running experiment per creditor: a new case has one draw.
CREATE UNIQUE INDEX strategy_experiments_running ON strategy_experiments (creditor_id) WHERE stopped_at IS NULL;

-- The arms, in order (the first is the champion the others are compared
-- with). A case whose bucket is below bucket_below (and not below the
-- previous arm's) goes to the arm: bucket_below is the running sum of the
-- shares, in hundredths of a percent, 10,000 for the last arm.
CREATE TABLE strategy_experiment_arms (
    experiment_id  uuid NOT NULL REFERENCES strategy_experiments (id),
    position       integer NOT NULL CHECK (position >= 0),
    creditor_id    uuid NOT NULL REFERENCES creditors (id),
    strategy_id    uuid NOT NULL REFERENCES strategies (id),
    strategy_name  text NOT NULL, -- as it was named when the experiment started (the creditor may not read strategies)
    share_percent  integer NOT NULL CHECK (share_percent BETWEEN 1 AND 99),
    bucket_below   integer NOT NULL CHECK (bucket_below BETWEEN 1 AND 10000),
    PRIMARY KEY (experiment_id, position),
    UNIQUE (experiment_id, strategy_id)
);
CREATE INDEX strategy_experiment_arms_strategy ON strategy_experiment_arms (strategy_id);

-- Each case's draw: a case enters at most one experiment (when it enters
-- a strategy), and keeps its arm after the experiment stops.
CREATE TABLE strategy_experiment_cases (
    case_id        uuid PRIMARY KEY REFERENCES cases (id),
    experiment_id  uuid NOT NULL REFERENCES strategy_experiments (id),
    creditor_id    uuid NOT NULL REFERENCES creditors (id),
    strategy_id    uuid NOT NULL REFERENCES strategies (id),
    bucket         integer NOT NULL CHECK (bucket BETWEEN 0 AND 9999),
    assigned_on    date NOT NULL
);
CREATE INDEX strategy_experiment_cases_arm ON strategy_experiment_cases (experiment_id, strategy_id);

GRANT SELECT ON strategy_experiments, strategy_experiment_arms, strategy_experiment_cases TO recouvra_creditor_scope;
ALTER TABLE strategy_experiments ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON strategy_experiments USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON strategy_experiments TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());
ALTER TABLE strategy_experiment_arms ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON strategy_experiment_arms USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON strategy_experiment_arms TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());
ALTER TABLE strategy_experiment_cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON strategy_experiment_cases USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON strategy_experiment_cases TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());

-- +goose Down
REVOKE ALL ON strategy_experiments, strategy_experiment_arms, strategy_experiment_cases FROM recouvra_creditor_scope;
DROP TABLE strategy_experiment_cases;
DROP TABLE strategy_experiment_arms;
DROP TABLE strategy_experiments;
DROP FUNCTION experiment_bucket(bigint, uuid);
