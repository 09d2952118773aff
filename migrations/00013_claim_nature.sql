-- +goose Up
-- The nature of a claim, where the law gives that kind of debt its own time
-- bar: residential rent and charges, three years (law 89-462 art. 7-1).
-- Every existing claim is general: its term follows from the parties.
ALTER TABLE claims ADD COLUMN nature text NOT NULL DEFAULT 'general'
    CHECK (nature IN ('general', 'residential_rent'));

-- A filing no longer restarts the time bar by itself: it holds the bar while
-- the proceedings last and is void after a rejection (C. civ. 2241-2243),
-- which the case's court steps now say. Cases filed before this kept the
-- filing date as their last interruption; give them back the one their
-- other interrupting acts make: the latest acknowledgement or payment not
-- reversed (C. civ. 2240), the order made enforceable.
UPDATE cases c
   SET last_interruption_on = GREATEST(
         (SELECT max((e.data->>'on')::date) FROM events e
           WHERE e.case_id = c.id AND e.type = 'acknowledgement' AND e.data ? 'on'),
         (SELECT max(p.received_on) FROM payments p WHERE p.case_id = c.id AND p.reversed_at IS NULL),
         (c.injunction->>'enforceable_on')::date)
 WHERE c.injunction ? 'filed_on'
   AND c.last_interruption_on = (c.injunction->>'filed_on')::date;

-- +goose Down
ALTER TABLE claims DROP COLUMN nature;
