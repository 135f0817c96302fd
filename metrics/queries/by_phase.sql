-- Per phase number, over the runs in the folder (of one production file, where one is named): median and worst duration and peak memory.
SELECT
    phase.phase_number,
    count(*) AS records,
    round(median(phase.duration_seconds), 4) AS median_seconds,
    round(max(phase.duration_seconds), 4) AS worst_seconds,
    round(median(phase.memory_peak_mb), 1) AS median_peak_mb,
    round(max(phase.memory_peak_mb), 1) AS worst_peak_mb
FROM runs, unnest(phases) AS listed(phase)
WHERE coalesce(getvariable('production_file'), production_file) = production_file
GROUP BY phase.phase_number
ORDER BY phase.phase_number;
