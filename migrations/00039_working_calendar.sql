-- +goose Up
-- The working-day calendar the strategy engine's nightly pass dates steps
-- with, in one set-based UPDATE per batch instead of Go per case (issue 14).
--
-- One row per calendar day. The rows are written by the application from
-- the domain's own rules (recouvra.WorkingCalendar: Monday to Friday, the
-- public holidays of the Code du travail art. L3133-1 as
-- recouvra.PublicHoliday computes them for any year, Easter's included), so
-- the database and Go never hold two lists of holidays. The migration only
-- makes the table: the nightly pass fills it from 2000-01-01
-- (recouvra.WorkingCalendarEpoch) to 30 years after its day before it
-- dates anything, and tops it up each night (ON CONFLICT DO NOTHING: two
-- instances writing at once write the same rows). A date outside the rows
-- is dated in Go, as before.
--
-- working_index: for a working day, its rank among working days since the
-- epoch; for a day off, the rank of the next working day. n working days
-- from d (recouvra.AddWorkingDays) is the working day whose index is
-- d's index + n.
CREATE TABLE working_days (
    day            date PRIMARY KEY,
    working        boolean NOT NULL,
    holiday        text,  -- the public holiday's name (Noël, Lundi de Pâques…)
    working_index  integer NOT NULL
);
CREATE UNIQUE INDEX working_days_by_index ON working_days (working_index) INCLUDE (day) WHERE working;

-- +goose Down
DROP TABLE working_days;
