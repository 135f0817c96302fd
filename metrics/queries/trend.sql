-- One production file's runs, oldest first: total time, peak memory and the quality figures the chart draws.
SELECT
    run_time,
    test_type,
    round(total_time_seconds, 3) AS total_time_seconds,
    round(memory_peak_mb, 1) AS memory_peak_mb,
    pylint_score,
    mypy_errors,
    test_pass_rate,
    coverage_percentage
FROM runs
ORDER BY run_time, filename;
