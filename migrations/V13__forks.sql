-- Forks: a run may start from a finished phase of an earlier run, reusing its phases 0..k by
-- reference (their metrics copied, their artifact files hard-linked). The source is kept as a plain
-- id, not a foreign key: deleting the source leaves the fork and its reused phases intact.
alter table experiments add column forked_from uuid;
alter table experiments add column forked_phase integer;
alter table phases add column reused_from uuid;          -- the experiment whose worker trained this phase
