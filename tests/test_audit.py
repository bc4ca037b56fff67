"""The dependency audit fails on a known vulnerability and says when it could not run."""

from __future__ import annotations

import json
import subprocess

from tooling import audit


def fake_run(report: dict | None):
    def run(command, **kwargs):
        stdout = json.dumps(report) if report is not None else ""
        return subprocess.CompletedProcess(command, 0, stdout=stdout, stderr="network down")

    return run


def test_a_known_vulnerability_fails_the_audit(monkeypatch, capsys):
    report = {
        "dependencies": [
            {"name": "django", "version": "6.1.3", "vulns": [{"id": "PYSEC-2099-1"}]},
            {"name": "sqlparse", "version": "0.6.1", "vulns": []},
        ]
    }
    monkeypatch.setattr(audit.subprocess, "run", fake_run(report))
    assert audit.main() == 1
    assert "django 6.1.3: PYSEC-2099-1" in capsys.readouterr().out


def test_a_clean_audit_passes(monkeypatch, capsys):
    report = {"dependencies": [{"name": "django", "version": "6.1.3", "vulns": []}]}
    monkeypatch.setattr(audit.subprocess, "run", fake_run(report))
    assert audit.main() == 0
    assert "1 pinned dependencies, no known vulnerability" in capsys.readouterr().out


def test_an_unreachable_service_is_a_printed_notice(monkeypatch, capsys):
    skipped = {"dependencies": [{"name": "django", "skip_reason": "not found"}]}
    monkeypatch.setattr(audit.subprocess, "run", fake_run(skipped))
    assert audit.main() == 0
    assert "NOTICE" in capsys.readouterr().out
    monkeypatch.setattr(audit.subprocess, "run", fake_run(None))
    assert audit.main() == 0
