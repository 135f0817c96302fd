-- The view every other query reads: one row per readable metrics document in the folder
-- getvariable('metrics_dir') names, its sections' figures as columns.
-- Why not read_json: its ignore_errors skips a broken document only in newline-delimited
-- files, and the collector indents its documents, so one junk file would stop every query.
-- Instead read_blob reads each file whole; try(decode(...)) turns a file that is not UTF-8
-- into NULL and try(json_transform(...)) a file that is not JSON; json_transform itself gives
-- NULL for a key that is missing (a document without the phases list) or a value of the
-- wrong type instead of failing; and a row without a timestamp or a production file (an
-- empty object, an array, null) is not a run. The phases list is transformed apart, so that a
-- query that does not use it does not pay for it (a third of by_week's time here).
CREATE OR REPLACE TEMP VIEW runs AS
WITH files AS (
    SELECT filename, try(decode(content)) AS text
    FROM read_blob(getvariable('metrics_dir') || '/framework-metrics-*.json')
),
documents AS (
    SELECT
        filename,
        try(json_transform(text, '{
            "timestamp": "VARCHAR",
            "production_file": "VARCHAR",
            "test_type": "VARCHAR",
            "generated_file": "VARCHAR",
            "execution_metrics": {
                "total_time_seconds": "DOUBLE",
                "phases_completed": "BIGINT",
                "memory_peak_mb": "DOUBLE"
            },
            "quality_metrics": {
                "pylint_score": "DOUBLE",
                "mypy_errors": "BIGINT",
                "black_formatted": "BOOLEAN",
                "test_pass_rate": "DOUBLE",
                "coverage_percentage": "DOUBLE"
            },
            "framework_success": {
                "all_targets_met": "BOOLEAN",
                "critical_failures": "BIGINT",
                "improvement_areas": ["VARCHAR"]
            }
        }')) AS document,
        try(json_transform(text, '{"execution_metrics": {"phases": [{
            "phase_number": "BIGINT",
            "duration_seconds": "DOUBLE",
            "memory_used_mb": "DOUBLE",
            "memory_peak_mb": "DOUBLE"
        }]}}')).execution_metrics.phases AS phases
    FROM files
)
SELECT
    filename,
    try_cast(document.timestamp AS TIMESTAMP) AS run_time,
    document.production_file,
    document.test_type,
    document.generated_file,
    document.execution_metrics.total_time_seconds,
    document.execution_metrics.phases_completed,
    document.execution_metrics.memory_peak_mb,
    phases,
    document.quality_metrics.pylint_score,
    document.quality_metrics.mypy_errors,
    document.quality_metrics.black_formatted,
    document.quality_metrics.test_pass_rate,
    document.quality_metrics.coverage_percentage,
    document.framework_success.all_targets_met,
    document.framework_success.critical_failures,
    document.framework_success.improvement_areas
FROM documents
WHERE try_cast(document.timestamp AS TIMESTAMP) IS NOT NULL
    AND document.production_file IS NOT NULL;
