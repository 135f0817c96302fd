-- Per production file and test type: runs, the first and the last, the last run's verdict and figures, each with its change since the run before.
WITH changes AS (
    -- the run before is the one before in the whole folder, even when it is older than --since
    SELECT
        filename,
        pylint_score - lag(pylint_score) OVER earlier AS pylint_change,
        CAST(mypy_errors AS HUGEINT) - lag(mypy_errors) OVER earlier AS mypy_change,
        CAST(black_formatted AS INTEGER) - lag(CAST(black_formatted AS INTEGER)) OVER earlier AS black_change,
        test_pass_rate - lag(test_pass_rate) OVER earlier AS pass_rate_change,
        coverage_percentage - lag(coverage_percentage) OVER earlier AS coverage_change,
        total_time_seconds - lag(total_time_seconds) OVER earlier AS time_change,
        memory_peak_mb - lag(memory_peak_mb) OVER earlier AS memory_change
    FROM all_runs
    WINDOW earlier AS (PARTITION BY production_file, test_type ORDER BY run_time, filename)
),
numbered AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY production_file, test_type ORDER BY run_time DESC, filename DESC
        ) AS age,
        count(*) OVER same_file AS runs,
        min(run_time) OVER same_file AS first_run
    FROM runs
    JOIN changes USING (filename)
    WINDOW same_file AS (PARTITION BY production_file, test_type)
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
    mypy_errors,
    mypy_change,
    black_formatted,
    black_change,
    test_pass_rate,
    round(pass_rate_change, 2) AS pass_rate_change,
    coverage_percentage,
    round(coverage_change, 2) AS coverage_change,
    round(total_time_seconds, 3) AS total_time_seconds,
    round(time_change, 3) AS time_change,
    round(memory_peak_mb, 1) AS memory_peak_mb,
    round(memory_change, 1) AS memory_change
FROM numbered
WHERE age = 1
ORDER BY production_file, test_type;
