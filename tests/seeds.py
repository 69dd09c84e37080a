"""The five real seed reports, as the sample portal ships them."""

from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "sample_portal" / "reports"


def seed_path(number: int) -> Path:
    """``seed_path(3)`` -> sample_portal/reports/seed_003_<hash>.txt"""
    (path,) = SEEDS.glob(f"seed_{number:03d}_*.txt")
    return path
