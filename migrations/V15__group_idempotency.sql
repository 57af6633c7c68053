-- Idempotency-Key on POST /api/v1/groups, as experiments have it: a retry with the same key and body
-- finds the group; the same key with another body is refused. The body is kept to tell the two apart.
alter table experiment_groups
    add column idempotency_key text,
    add column request jsonb;
create unique index experiment_groups_idempotency on experiment_groups (coalesce(owner_key, ''), idempotency_key)
    where idempotency_key is not null;
