-- One production file's runs, oldest first: total time, peak memory, pylint score and coverage (the chart's data).
SELECT
    run_time,
    test_type,
    round(total_time_seconds, 3) AS total_time_seconds,
    round(memory_peak_mb, 1) AS memory_peak_mb,
    pylint_score,
    coverage_percentage
FROM runs
WHERE production_file = getvariable('production_file')
ORDER BY run_time;
