"""The alert rules evaluated by Prometheus's own rule tester on scripted series: an alert fires
on what its runbook names, and not on what is nobody's fault at the gateway."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ALERTS = Path(__file__).resolve().parents[1] / "deploy" / "prometheus" / "alerts.yml"

pytestmark = [
    pytest.mark.slow,  # runs promtool
    pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed"),
]


def annotations(alert: str) -> dict[str, str]:
    rules = yaml.safe_load(ALERTS.read_text())
    [rule] = [rule for group in rules["groups"] for rule in group["rules"] if rule.get("alert") == alert]
    return rule["annotations"]


def fires(tmp_path: Path, alert: str, series: dict[str, str], labels: dict[str, str] | None) -> None:
    """Assert that after 40 minutes of `series` the alert fires with `labels`, or not at all (None)."""
    expected = [] if labels is None else [{"exp_labels": labels, "exp_annotations": annotations(alert)}]
    test = {
        "rule_files": [str(ALERTS)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": name, "values": values} for name, values in series.items()],
                "alert_rule_test": [{"eval_time": "40m", "alertname": alert, "exp_alerts": expected}],
            }
        ],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test))
    run = subprocess.run(["promtool", "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_files_a_provider_refuses_at_once_raise_the_alert(tmp_path):
    # a wrong META_ACCESS_TOKEN: Meta answers 401 for every media id, final at once
    series = {
        'gateway_media_fetches_total{provider="meta",outcome="stored"}': "0+1x60",
        'gateway_media_fetches_total{provider="meta",outcome="unavailable"}': "0+3x60",
    }
    fires(tmp_path, "GatewayContactFilesFailing", series, {"provider": "meta", "severity": "ticket"})


def test_downloads_that_keep_failing_raise_the_alert(tmp_path):
    series = {
        'gateway_media_fetches_total{provider="twilio",outcome="stored"}': "0+2x60",
        'gateway_media_fetches_total{provider="twilio",outcome="failed"}': "0+1x60",
    }
    fires(tmp_path, "GatewayContactFilesFailing", series, {"provider": "twilio", "severity": "ticket"})


def test_files_refused_for_what_contacts_sent_raise_no_alert(tmp_path):
    series = {
        'gateway_media_fetches_total{provider="meta",outcome="stored"}': "0+1x60",
        'gateway_media_fetches_total{provider="meta",outcome="refused"}': "0+3x60",
    }
    fires(tmp_path, "GatewayContactFilesFailing", series, None)
