-- Per week (starting Monday): runs, the share that met every target, the mean pylint score, the mean coverage of unit runs, critical failures.
SELECT
    CAST(date_trunc('week', run_time) AS DATE) AS week,
    count(*) AS runs,
    round(count(*) FILTER (WHERE all_targets_met) / count(*), 3) AS share_all_targets_met,
    round(avg(pylint_score), 2) AS mean_pylint_score,
    round(avg(coverage_percentage) FILTER (WHERE test_type = 'unit'), 2) AS mean_unit_coverage,
    CAST(coalesce(sum(critical_failures), 0) AS BIGINT) AS critical_failures
FROM runs
GROUP BY week
ORDER BY week;
