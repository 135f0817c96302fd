-- Per production file and test type: how many runs, the first and the last, the latest figures and their change since the run before.
WITH numbered AS (
    SELECT
        *,
        row_number() OVER newest_first AS age,
        count(*) OVER same_file AS runs,
        min(run_time) OVER same_file AS first_run,
        pylint_score - lead(pylint_score) OVER newest_first AS pylint_change,
        coverage_percentage - lead(coverage_percentage) OVER newest_first AS coverage_change,
        total_time_seconds - lead(total_time_seconds) OVER newest_first AS time_change,
        memory_peak_mb - lead(memory_peak_mb) OVER newest_first AS memory_change
    FROM runs
    WINDOW
        same_file AS (PARTITION BY production_file, test_type),
        newest_first AS (PARTITION BY production_file, test_type ORDER BY run_time DESC)
)
SELECT
    production_file,
    test_type,
    runs,
    first_run,
    run_time AS last_run,
    all_targets_met,
    pylint_score,
    round(pylint_change, 2) AS pylint_change,
    coverage_percentage,
    round(coverage_change, 2) AS coverage_change,
    round(total_time_seconds, 3) AS total_time_seconds,
    round(time_change, 3) AS time_change,
    round(memory_peak_mb, 1) AS memory_peak_mb,
    round(memory_change, 1) AS memory_change
FROM numbered
WHERE age = 1
ORDER BY production_file, test_type;
