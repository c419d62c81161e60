"""The execution modes every differential test runs in: the optimizer on and off, times
every execution tier that exists, each with settings that force compilation (a JIT
threshold of 0, so every function and loop is compiled before it first runs).

A new tier adds itself to TIERS; the conformance suite, the examples and the oracle
all read MODES."""

from __future__ import annotations

from axiom import conf

TIERS: dict[str, dict[str, object]] = {
    "tier0": {"jit": "off"},
    "tier1": {"jit": "host", "jit_threshold": 0},
}

MODES: dict[str, dict[str, object]] = {}
for _tier, _settings in TIERS.items():
    MODES[f"{_tier}-optimized"] = {**_settings, "peephole_optimizer": True}
    MODES[f"{_tier}-unoptimized"] = {**_settings, "peephole_optimizer": False}


def settings(mode: str) -> dict[str, object]:
    """Complete settings for a Runtime in `mode`."""
    return {**conf.DEFAULTS, "bytecode_cache": False, **MODES[mode]}
