"""One headline measure of a benchmark, appended as a JSON line to the file
that BENCH_SUMMARY names (nothing happens without it); scripts/bench reads
the lines back and prints them as one table.

Use:  sys.path.insert(0, "scripts/lib"); from bench_summary import record
      record(MEASURE, UNIT, OURS, TARGET, PEER, PEER_VALUE, lower_is_better=False)

TARGET is the text shown in the table, and it is also what `met` is
judged by, so the two cannot disagree: "≥ 500 tasks/s" and "< 30 s" bound
OURS; a number followed by "x", as in "≥ 2x qvdrs", bounds the ratio;
"-" means no target was set (met is null). The ratio is ours / peer, or
peer / ours with lower_is_better (times, memory), so that above 1 always
means ours is better.
"""
import json
import os
import re

_BOUND = re.compile(r"^\s*(≥|>=|>|≤|<=|<)\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(x?)")
_COMPARE = {"≥": float.__ge__, ">=": float.__ge__, ">": float.__gt__,
            "≤": float.__le__, "<=": float.__le__, "<": float.__lt__}


class TargetError(ValueError):
    pass


def judge(target, ours, ratio):
    """True or False when TARGET bounds a known figure, None when there is no target."""
    if target.strip() in ("", "-"):
        return None
    match = _BOUND.match(target)
    if not match:
        raise TargetError(f"target '{target}' is not understood; expected a bound such as '≥ 500 tasks/s', '< 30 s' or '≥ 2x qvdrs', or '-' for none")
    operator, number, on_ratio = match.group(1), float(match.group(2).replace(",", "")), match.group(3) == "x"
    value = ratio if on_ratio else ours
    if value is None:
        return None
    return _COMPARE[operator](float(value), number)


def record(measure, unit, ours, target, peer=None, peer_value=None, lower_is_better=False):
    ratio = None
    if peer_value and ours:
        ratio = (peer_value / ours) if lower_is_better else (ours / peer_value)
    # Judged before rounding, so that 0.696x does not pass a 0.7x target by being shown as 0.70.
    met = judge(target, ours, ratio)
    line = {"measure": measure, "unit": unit, "ours": ours, "peer": peer, "peerValue": peer_value,
            "ratio": None if ratio is None else round(ratio, 2), "target": target, "met": met}
    path = os.environ.get("BENCH_SUMMARY")
    if path:
        with open(path, "a") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return line
