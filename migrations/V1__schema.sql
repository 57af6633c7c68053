-- Mnemos schema. Experiments own their phases, events and artifacts (deleted with them).

create table experiments (
    id                uuid primary key,
    name              text not null,
    status            text not null check (status in ('QUEUED','RUNNING','CANCELLING','CANCELLED','SUCCEEDED','FAILED')),
    submitted_spec    jsonb not null,            -- what the client sent
    resolved_spec     jsonb not null,            -- preset merged, defaults filled
    plan              jsonb not null,            -- class order and classes of every phase
    seed              bigint not null,
    spec_hash         text not null,             -- sha256 of the canonical resolved spec
    phase_count       integer not null,
    completed_phases  integer not null default 0,
    idempotency_key   text,
    owner_key         text,                      -- id of the API key that submitted it (null when keys are off)
    progress          jsonb,                     -- current phase, stage, epoch, step, fraction, images/s, eta
    summary           jsonb,                     -- averageIncrementalAccuracy, lastAccuracy, forgetting
    versions          jsonb not null,            -- mnemos, djl, pytorch, java versions that ran it
    error             text,
    attempts          integer not null default 0,
    created_at        timestamptz not null default now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz not null default now(),
    row_version       bigint not null default 0
);
create unique index experiments_idempotency on experiments (coalesce(owner_key, ''), idempotency_key)
    where idempotency_key is not null;
create index experiments_status_created on experiments (status, created_at desc, id);
create index experiments_created on experiments (created_at desc, id);

create table phases (
    experiment_id     uuid not null references experiments (id) on delete cascade,
    phase_index       integer not null,
    classes           jsonb not null,            -- original labels learned in this phase
    status            text not null check (status in ('PENDING','RUNNING','COMPLETED','FAILED','CANCELLED')),
    cnn_accuracy      double precision,
    nme_accuracy      double precision,
    old_accuracy      double precision,
    new_accuracy      double precision,
    accuracy_row      jsonb,                     -- accuracy on the classes of phases 0..phase_index
    per_class_accuracy jsonb,
    exemplar_count    integer,
    memory_bytes      bigint,
    images_per_second double precision,
    duration_ms       bigint,
    attempts          integer not null default 0,
    worker            text,
    started_at        timestamptz,
    completed_at      timestamptz,
    primary key (experiment_id, phase_index)
);

create table events (
    seq               bigserial primary key,     -- the SSE event id
    experiment_id     uuid not null references experiments (id) on delete cascade,
    type              text not null,             -- phase-started, progress, phase-completed, experiment-succeeded, experiment-failed, experiment-cancelled
    data              jsonb not null,
    created_at        timestamptz not null default now()
);
create index events_experiment_seq on events (experiment_id, seq);

create table artifacts (
    id                bigserial primary key,
    experiment_id     uuid not null references experiments (id) on delete cascade,
    phase_index       integer not null,
    kind              text not null,             -- state (engine state dir archive), exemplars (zip), checkpoint (zip)
    path              text not null,             -- relative to the artifact store root
    size_bytes        bigint not null,
    sha256            text not null,
    created_at        timestamptz not null default now(),
    unique (experiment_id, phase_index, kind)
);

-- db-scheduler's table (its PostgreSQL schema), one execution per phase
create table scheduled_tasks (
    task_name            text not null,
    task_instance        text not null,
    task_data            bytea,
    execution_time       timestamp with time zone not null,
    picked               boolean not null,
    picked_by            text,
    last_success         timestamp with time zone,
    last_failure         timestamp with time zone,
    consecutive_failures int,
    last_heartbeat       timestamp with time zone,
    version              bigint not null,
    priority             smallint,
    primary key (task_name, task_instance)
);
create index execution_time_idx on scheduled_tasks (execution_time);
create index last_heartbeat_idx on scheduled_tasks (last_heartbeat);
create index priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);
