-- Every action the audit log holds, for the audit page's filter.
SELECT DISTINCT action FROM app.audit_log ORDER BY action;
