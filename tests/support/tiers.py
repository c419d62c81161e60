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
    "native": {"jit": "native", "jit_threshold": 0},
}
# The environment of a tier's runs: "tier1-loops" compiles loops only, so that a loop
# inside a function is taken over while its frame runs (on-stack replacement).
TIER_ENV: dict[str, dict[str, str]] = {"tier1-loops": {"AXIOM_JIT_FUNCTIONS": "0"}}
TIERS["tier1-loops"] = dict(TIERS["tier1"])

MODES: dict[str, dict[str, object]] = {}
for _tier, _settings in TIERS.items():
    MODES[f"{_tier}-optimized"] = {**_settings, "peephole_optimizer": True}
    MODES[f"{_tier}-unoptimized"] = {**_settings, "peephole_optimizer": False}


def env(mode_or_tier: str) -> dict[str, str]:
    """Environment variables a run in this mode (or tier) needs."""
    tier = mode_or_tier if mode_or_tier in TIERS else mode_or_tier.rsplit("-", 1)[0]
    return TIER_ENV.get(tier, {})


def settings(mode: str) -> dict[str, object]:
    """Complete settings for a Runtime in `mode`."""
    return {**conf.DEFAULTS, "bytecode_cache": False, **MODES[mode]}
