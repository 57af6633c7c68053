-- Queue priority (issue 24). experiments.priority: the run's resources.priority (-100..100, higher
-- first). Its phases are queued with it in scheduled_tasks.priority, which the workers order by
-- (priority desc, execution_time asc: the run's submission time). Rows queued before this version,
-- or by a process that does not write the column, get the default priority rather than NULL, which
-- "order by priority desc" would put first.
alter table experiments add column priority integer not null default 0;

update scheduled_tasks set priority = 0 where priority is null;
alter table scheduled_tasks alter column priority set default 0;
