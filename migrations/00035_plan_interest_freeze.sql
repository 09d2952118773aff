-- +goose Up
-- Interest frozen by a payment plan (the mandate's plan_interest_frozen,
-- recorded on each plan since 00024) now reaches the statement of claim:
-- no interest runs from the day after the plan was made (its total was the
-- statement of that day) while it is kept, through the day it completes;
-- a broken or cancelled plan lets interest run again from that day on.
--
-- plans.running_from: the day the plan began running (accepted at once, or
-- approved by the creditor); NULL for a plan that never ran (waiting,
-- refused, or cancelled while waiting) — such a plan froze nothing.
-- cases.interest_freeze: a plan freezing interest, or a court-granted delay
-- (C. civ. 1343-5 al. 4: no penalty or increase is incurred during it), has
-- run on this case, so its statements read its plans; every other case's
-- statement (and a payment on it) reads no plan at all.
ALTER TABLE plans ADD COLUMN running_from date;
UPDATE plans p SET running_from = COALESCE(
    (SELECT min(e.at)::date FROM events e
      WHERE e.case_id = p.case_id AND e.type = 'plan_approved' AND e.data ->> 'plan_id' = p.id::text),
    p.made_on)
 WHERE p.status IN ('kept', 'completed', 'broken')
    OR (p.status = 'cancelled' AND (p.origin = 'court' OR p.deviations = '[]'::jsonb
        OR EXISTS (SELECT 1 FROM events e WHERE e.case_id = p.case_id AND e.type = 'plan_approved' AND e.data ->> 'plan_id' = p.id::text)));

ALTER TABLE cases ADD COLUMN interest_freeze boolean NOT NULL DEFAULT false;
UPDATE cases c SET interest_freeze = true
 WHERE EXISTS (SELECT 1 FROM plans p WHERE p.case_id = c.id AND (p.interest_frozen OR p.origin = 'court') AND p.running_from IS NOT NULL);

-- +goose Down
ALTER TABLE cases DROP COLUMN interest_freeze;
ALTER TABLE plans DROP COLUMN running_from;
