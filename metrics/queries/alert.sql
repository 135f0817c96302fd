-- Regression alerts: each series' latest runs judged against its history, exit 1 on a regression (the rules: scripts/metrics_alert.py).
-- The runs the rules replay, one row per run with what they read: the run's time and memory,
-- each phase's (as three lists of one length: lists of numbers reach Python several times
-- faster than a list of structures), and the quality figures. Every run in the folder:
-- --since is the rules' own (a run before it is not judged, but it still names a known series
-- for the accepted file). Ordered as the rules replay them: they take rows in any order and
-- sort each file's runs, which costs little on runs already in order.
SELECT
    filename,
    run_time,
    production_file,
    test_type,
    total_time_seconds,
    memory_peak_mb,
    list_transform(phases, lambda phase: phase.phase_number) AS phase_numbers,
    list_transform(phases, lambda phase: phase.duration_seconds) AS phase_durations,
    list_transform(phases, lambda phase: phase.memory_peak_mb) AS phase_peaks,
    pylint_score,
    mypy_errors,
    black_formatted,
    test_pass_rate,
    coverage_percentage
FROM all_runs
ORDER BY production_file, test_type, run_time, filename;
