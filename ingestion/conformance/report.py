"""What a check found, and the lines `check-focus` prints: one line per broken rule, errors
first, then a verdict. Kept apart from the checker so other callers (the FOCUS export's own
check) read the same report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingestion.conformance.rules import Rule, Severity


@dataclass
class Finding:
    rule: Rule
    count: int = 0  # rows (or columns, for header rules) that break the rule
    first_row: int | None = None  # 1-based data row, header excluded
    first_value: str | None = None

    def line(self, rows: int) -> str:
        r = self.rule
        if r.check in ("present", "recommended"):
            where = "column missing"
        elif r.check in ("column_id", "custom_prefix"):
            where = f"{self.count} column(s), first {self.first_value}"
        else:
            where = (
                f"{self.count:,} of {rows:,} rows, first row {self.first_row}: {self.first_value}"
            )
        subject = "" if r.column == "*" else f"{r.column} "
        return f"{r.severity:<7} {r.id}: {where} ({subject}{r.describe()}; {r.ref})"


@dataclass
class CheckReport:
    file: str
    container: str
    version: str  # the FOCUS version the file was checked as
    version_reason: str
    columns: int
    rows: int = 0
    checked: int = 0  # rules that applied to this file
    findings: dict[str, Finding] = field(default_factory=dict)

    def _of(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings.values() if f.rule.severity == severity]

    @property
    def errors(self) -> list[Finding]:
        return self._of("error")

    @property
    def warnings(self) -> list[Finding]:
        return self._of("warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        head = (
            f"{self.file} [{self.container}]: {self.rows:,} rows, {self.columns} columns, "
            f"checked as FOCUS {self.version} ({self.version_reason})"
        )
        body = [f"  {f.line(self.rows)}" for f in (*self.errors, *self.warnings)]
        verdict = "PASS" if self.ok else "FAIL"
        tail = (
            f"verdict: {verdict}: {len(self.errors)} rule(s) violated, "
            f"{len(self.warnings)} warning(s), {self.checked} rules applied"
        )
        return [head, *body, tail]

    def add(self, rule: Rule, count: int, row: int | None, value: str | None) -> None:
        if count:
            found = self.findings.setdefault(
                rule.id, Finding(rule, first_row=row, first_value=value)
            )
            found.count += count
