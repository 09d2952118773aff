-- +goose Up
-- When the debtor is best reached by phone ("mardi et jeudi matin", "après
-- 18 h"), free text an agent reads before calling. Debtors keep their row
-- security (00003): the column adds no new path to another creditor's data.
ALTER TABLE debtors ADD COLUMN best_time_to_call text NOT NULL DEFAULT ''
    CHECK (char_length(best_time_to_call) <= 200);

-- +goose Down
ALTER TABLE debtors DROP COLUMN best_time_to_call;
