-- Idempotency-Key on POST /api/v1/groups, as experiments have it: a retry with the same key and body
-- finds the group; the same key with another body is refused. The body is kept to tell the two apart.
alter table experiment_groups
    add column idempotency_key text,
    add column request jsonb;
create unique index experiment_groups_idempotency on experiment_groups (coalesce(owner_key, ''), idempotency_key)
    where idempotency_key is not null;

-- Arms of a group that resolve identically for phases 0..last_phase share them: the follower's phases
-- wait for the leader's and are reused by reference once they completed (as a fork's), or trained by
-- the follower itself when the leader ends without them. No foreign key to the leader: a deleted
-- leader is a leader that ended.
create table shared_prefixes (
    follower          uuid primary key references experiments (id) on delete cascade,
    leader            uuid not null,
    last_phase        int not null
);
create index shared_prefixes_leader on shared_prefixes (leader);
