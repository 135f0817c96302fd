-- Per phase number: records, median and worst duration, peak memory, and growth (the peak minus the memory in use when the phase started).
WITH listed AS (
    -- a phase started with the memory in use when the phase before it was recorded; the first
    -- phase of a run has no such reading, so its growth is unknown
    SELECT unnest(list_transform(phases, lambda phase, i: CASE WHEN phase IS NOT NULL THEN {
        'phase_number': phase.phase_number,
        'duration_seconds': phase.duration_seconds,
        'memory_peak_mb': phase.memory_peak_mb,
        'growth_mb': phase.memory_peak_mb - CASE WHEN i > 1 THEN phases[i - 1].memory_used_mb END
    } END)) AS phase
    FROM runs
)
SELECT
    phase.phase_number,
    count(*) AS records,
    round(median(phase.duration_seconds), 4) AS median_seconds,
    round(max(phase.duration_seconds), 4) AS worst_seconds,
    round(median(phase.memory_peak_mb), 1) AS median_peak_mb,
    round(max(phase.memory_peak_mb), 1) AS worst_peak_mb,
    round(median(phase.growth_mb), 1) AS median_growth_mb,
    round(max(phase.growth_mb), 1) AS worst_growth_mb
FROM listed
WHERE phase IS NOT NULL
GROUP BY phase.phase_number
ORDER BY phase.phase_number;
