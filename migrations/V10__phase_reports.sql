-- One column for what a run's parts report per phase (issue 19): a JSON object by report name, so
-- that a new part's report needs no column. The five report columns are copied in and dropped; the
-- phase view derives its deprecated fields (aggregationWeights, memory, mnemonics, inversion,
-- accuracy.student) from this column for one release. CIM's report, nested in the memory report
-- until now, is filed under its own name.
alter table phases add column reports jsonb;

update phases set reports = (
    select jsonb_object_agg(entry.name, entry.report)
    from (values
        ('memory', memory_report - 'cim'),
        ('cim', memory_report -> 'cim'),
        ('mnemonics', mnemonics_report),
        ('inversion', inversion_report),
        ('aggregation', case when aggregation_weights is null then null else jsonb_build_object('weights', aggregation_weights) end),
        ('student', case when student_accuracy is null then null else jsonb_build_object('accuracy', student_accuracy) end)
    ) as entry(name, report)
    where entry.report is not null and entry.report <> 'null'::jsonb)
where memory_report is not null or mnemonics_report is not null or inversion_report is not null
    or aggregation_weights is not null or student_accuracy is not null;

alter table phases drop column memory_report;
alter table phases drop column mnemonics_report;
alter table phases drop column inversion_report;
alter table phases drop column aggregation_weights;
alter table phases drop column student_accuracy;
