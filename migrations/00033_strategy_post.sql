-- +goose Up
-- Letters by post from the strategy engine (issue 14, item 4) and its
-- nightly pass.
--
-- A step run keeps the document its action produced (the amicable letter,
-- the formal notice), so that a pass's letters make one print file.
ALTER TABLE strategy_step_runs ADD COLUMN document_id uuid REFERENCES documents (id);
CREATE INDEX strategy_step_runs_document ON strategy_step_runs (pass_id, document_id) WHERE document_id IS NOT NULL;

-- When a strategy's steps last changed, on the database's clock like the
-- states' updated_at: the nightly pass dates again the states dated before.
ALTER TABLE strategies ADD COLUMN steps_changed_at timestamptz NOT NULL DEFAULT now();
-- +goose StatementBegin
CREATE FUNCTION strategy_steps_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.steps_changed_at := clock_timestamp();
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER strategy_steps_changed BEFORE UPDATE ON strategies
    FOR EACH ROW WHEN (OLD.steps IS DISTINCT FROM NEW.steps) EXECUTE FUNCTION strategy_steps_changed();

-- A pass is the frequent one (every RECOUVRA_STRATEGY_MINUTES) or the
-- nightly full pass; one nightly pass per day, whichever instance runs it.
ALTER TABLE strategy_passes ADD COLUMN kind text NOT NULL DEFAULT 'frequent' CHECK (kind IN ('frequent', 'nightly'));
CREATE UNIQUE INDEX strategy_passes_one_night ON strategy_passes (run_on) WHERE kind = 'nightly';

-- The registered-letter numbers (La Poste's "1A 123 456 7890 1") recorded
-- back from the post's deposit list, one per letter and each number once:
-- an upload sent again records nothing twice. The sending proof itself is
-- the case's letter_sent event (formal notice: its number, its sending
-- date, the deadline), which event_id names.
CREATE TABLE registered_letters (
    document_id  uuid PRIMARY KEY REFERENCES documents (id),
    case_id      uuid NOT NULL REFERENCES cases (id),
    creditor_id  uuid NOT NULL REFERENCES creditors (id),
    pass_id      uuid NOT NULL REFERENCES strategy_passes (id),
    number       text NOT NULL UNIQUE CHECK (number ~ '^[0-9A-Z]{2} [0-9]{3} [0-9]{3} [0-9]{4} [0-9]$'),
    sent_on      date NOT NULL,
    event_id     uuid,
    recorded_by  uuid REFERENCES users (id),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registered_letters_case ON registered_letters (case_id);
CREATE INDEX registered_letters_pass ON registered_letters (pass_id);

GRANT SELECT ON registered_letters TO recouvra_creditor_scope;
ALTER TABLE registered_letters ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON registered_letters USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON registered_letters TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());

-- +goose Down
REVOKE ALL ON registered_letters FROM recouvra_creditor_scope;
DROP TABLE registered_letters;
DROP TRIGGER strategy_steps_changed ON strategies;
DROP FUNCTION strategy_steps_changed();
ALTER TABLE strategies DROP COLUMN steps_changed_at;
DROP INDEX strategy_passes_one_night;
ALTER TABLE strategy_passes DROP COLUMN kind;
DROP INDEX strategy_step_runs_document;
ALTER TABLE strategy_step_runs DROP COLUMN document_id;
