"""Masking passwords in what gitmig prints."""

from __future__ import annotations

import pytest

from gitmig.util.messaging import mask_url


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db"),
        ("mysql+pymysql://root:pa:ss@h/db", "mysql+pymysql://root:***@h/db"),
        ("postgresql://u@h/db?password=secret", "postgresql://u@h/db?password=***"),
        (
            "postgresql://u@h/db?sslmode=require&PASSWORD=s%26x&application_name=a",
            "postgresql://u@h/db?sslmode=require&PASSWORD=***&application_name=a",
        ),
        ("mysql+pymysql://u@h/db?passwd=secret", "mysql+pymysql://u@h/db?passwd=***"),
        ("postgresql://u@h/db?sslmode=require", "postgresql://u@h/db?sslmode=require"),
    ],
)
def test_mask_url(text: str, masked: str) -> None:
    assert mask_url(f"error on {text} now") == f"error on {masked} now"
