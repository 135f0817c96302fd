-- The runs that missed a target or whose verdict is unknown, newest first, with their improvement areas.
SELECT
    run_time,
    production_file,
    test_type,
    all_targets_met,
    critical_failures,
    array_to_string(improvement_areas, '; ') AS improvement_areas
FROM runs
WHERE all_targets_met IS NOT true
ORDER BY run_time DESC, filename DESC;
