-- Worker pools (issue 24). experiments.pool: the pool a run's phases are routed to (the task
-- run-phase@<pool>); null when any worker may run them (the task run-phase).
alter table experiments add column pool text;

-- What the API knows about each pool: the memory budget its workers reported when they started (the
-- latest registration wins: a pool is one kind of machine). Rows outlive their workers, so that a
-- pool scaled to zero keeps its budget and runs can still be admitted to it; mnemos.pools.<name>
-- in the API's configuration declares a pool that no worker has registered yet and overrides a row.
create table worker_pools (
    pool           text primary key,
    memory_budget  bigint not null,
    on_gpu         boolean not null,
    budget_source  text not null,
    registered_by  text not null,
    registered_at  timestamptz not null
);
