-- Seed groups: one experiment per arm and seed, compared arm against arm over shared seeds.
-- Membership lives in its own table so that experiments stay as they are; deleting a member
-- experiment drops its membership, deleting a group drops its memberships (the group service
-- deletes the member experiments first).
create table experiment_groups (
    id                uuid primary key,
    name              text not null,
    owner_key         text,                      -- id of the API key that created it (null when keys are off)
    seeds             jsonb not null,            -- the seeds, in submission order
    arms              jsonb not null,            -- the arm labels, in submission order
    created_at        timestamptz not null default now()
);
create index experiment_groups_created on experiment_groups (created_at desc, id);

create table group_members (
    group_id          uuid not null references experiment_groups (id) on delete cascade,
    experiment_id     uuid not null references experiments (id) on delete cascade,
    arm               text not null,
    seed              bigint not null,
    primary key (group_id, experiment_id),
    unique (group_id, arm, seed)
);
create index group_members_experiment on group_members (experiment_id);
