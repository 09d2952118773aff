-- +goose Up
-- Payment plans (00024) came after webhooks (00027): their shared events
-- are "plan.changed" too, as promises are — a creditor's system hears of a
-- plan proposed, accepted, approved, refused, cancelled, an instalment
-- missed, a plan broken or completed. The mapping must stay equal to
-- recouvra.WebhookTypeOf (TestWebhookTypeOfMatchesTheTrigger).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION webhook_type_of(event_type text, visibility text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN visibility <> 'shared' THEN NULL ELSE CASE event_type
        WHEN 'case_created' THEN 'case.placed'
        WHEN 'stage_changed' THEN 'case.stage_changed'
        WHEN 'payment_recorded' THEN 'payment.recorded'
        WHEN 'document_added' THEN 'document.produced'
        WHEN 'promise' THEN 'plan.changed'
        WHEN 'promise_kept' THEN 'plan.changed'
        WHEN 'promise_broken' THEN 'plan.changed'
        WHEN 'plan_proposed' THEN 'plan.changed'
        WHEN 'plan_accepted' THEN 'plan.changed'
        WHEN 'plan_approved' THEN 'plan.changed'
        WHEN 'plan_refused' THEN 'plan.changed'
        WHEN 'plan_cancelled' THEN 'plan.changed'
        WHEN 'instalment_missed' THEN 'plan.changed'
        WHEN 'plan_broken' THEN 'plan.changed'
        WHEN 'plan_completed' THEN 'plan.changed'
        WHEN 'dispute_opened' THEN 'dispute.changed'
        WHEN 'dispute_resolved' THEN 'dispute.changed'
    END END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION webhook_type_of(event_type text, visibility text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN visibility <> 'shared' THEN NULL ELSE CASE event_type
        WHEN 'case_created' THEN 'case.placed'
        WHEN 'stage_changed' THEN 'case.stage_changed'
        WHEN 'payment_recorded' THEN 'payment.recorded'
        WHEN 'document_added' THEN 'document.produced'
        WHEN 'promise' THEN 'plan.changed'
        WHEN 'promise_kept' THEN 'plan.changed'
        WHEN 'promise_broken' THEN 'plan.changed'
        WHEN 'dispute_opened' THEN 'dispute.changed'
        WHEN 'dispute_resolved' THEN 'dispute.changed'
    END END
$$;
-- +goose StatementEnd
