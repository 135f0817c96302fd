-- The views every other query reads. scripts/query-metrics.py reads each file of the folder
-- once and checks every value's JSON type as it reads (the README's "Analyzing many runs" says
-- why in Python), then hands the runs over as three tables of numpy columns: read_documents,
-- one row per run, in which -9223372036854775808 stands for an unknown integer, -1 for an
-- unknown boolean and NaN for an unknown number; read_phases and read_areas, one row per item
-- of a run's list, in the order listed. The views give the columns their SQL types and rebuild
-- the lists, each only for a query that reads it.

-- DuckDB converts a numpy column of Python strings each time a query reads it: once, here
CREATE OR REPLACE TEMP TABLE documents AS FROM read_documents;
CREATE OR REPLACE TEMP TABLE document_areas AS FROM read_areas;

CREATE OR REPLACE TEMP VIEW all_runs AS
SELECT
    CAST(filename AS VARCHAR) AS filename,
    run_time,
    CAST(production_file AS VARCHAR) AS production_file,
    CAST(test_type AS VARCHAR) AS test_type,
    CAST(generated_file AS VARCHAR) AS generated_file,
    total_time_seconds,
    nullif(phases_completed, -9223372036854775808) AS phases_completed,
    memory_peak_mb,
    CASE
        WHEN phase_count = 0 THEN []
        WHEN phase_count > 0 THEN (
            SELECT list(
                CASE WHEN listed = 1 THEN {
                    'phase_number': nullif(phase_number, -9223372036854775808),
                    'duration_seconds': duration_seconds,
                    'memory_used_mb': memory_used_mb,
                    'memory_peak_mb': memory_peak_mb
                } END
                ORDER BY position
            )
            FROM read_phases AS phase
            WHERE phase.run = documents.run
        )
    END AS phases,
    pylint_score,
    nullif(mypy_errors, -9223372036854775808) AS mypy_errors,
    CAST(nullif(black_formatted, -1) AS BOOLEAN) AS black_formatted,
    test_pass_rate,
    coverage_percentage,
    CAST(nullif(all_targets_met, -1) AS BOOLEAN) AS all_targets_met,
    nullif(critical_failures, -9223372036854775808) AS critical_failures,
    CASE
        WHEN area_count = 0 THEN []
        WHEN area_count > 0 THEN (
            SELECT list(CAST(area AS VARCHAR) ORDER BY position)
            FROM document_areas AS area
            WHERE area.run = documents.run
        )
    END AS improvement_areas
FROM documents;

-- The runs the command line's filters keep: one production file, a window of run times (UTC,
-- both ends inclusive). A variable left NULL keeps every run.
CREATE OR REPLACE TEMP VIEW runs AS
SELECT *
FROM all_runs
WHERE (getvariable('production_file') IS NULL OR production_file = getvariable('production_file'))
    AND (getvariable('since') IS NULL OR run_time >= getvariable('since'))
    AND (getvariable('until') IS NULL OR run_time <= getvariable('until'));
