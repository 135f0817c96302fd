-- Per week (starting Monday, UTC): runs, the share that met every target, the mean pylint score, the mean coverage of unit runs, critical failures.
SELECT
    CAST(date_trunc('week', run_time) AS DATE) AS week,
    count(*) AS runs,
    -- a run whose verdict is unknown did not meet every target
    round(count(*) FILTER (WHERE all_targets_met) / count(*), 3) AS share_all_targets_met,
    round(avg(pylint_score), 2) AS mean_pylint_score,
    round(avg(coverage_percentage) FILTER (WHERE test_type = 'unit'), 2) AS mean_unit_coverage,
    sum(critical_failures) AS critical_failures
FROM runs
GROUP BY week
ORDER BY week;
