"""Reading spec files (any mix of OpenSLO v1 and Sloth), merging them into a catalogue mapping
(``include:``), and writing an imported catalogue (``slo-report import``)."""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

import yaml

from .common import Imported, SpecError
from .openslo import read_openslo
from .sloth import is_sloth, read_sloth

FORMATS = ("openslo", "sloth")
MAX_SPEC_BYTES = 5 * 1024 * 1024
"""As for a catalogue: a spec file is never read past this (it may be huge or endless)."""
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_specs(paths: list[Path], expected: str | None = None, shown: list[str] | None = None) -> Imported:
    """Read every file; raise ``SpecError`` with every refused item if any. ``expected``
    (``openslo`` or ``sloth``) refuses files of the other format; ``shown`` names the files in messages."""
    out = Imported()
    openslo_docs = []
    for position, path in enumerate(paths):
        name = shown[position] if shown else str(path)
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_SPEC_BYTES + 1)
            if len(raw) > MAX_SPEC_BYTES:
                out.problems.append(
                    f"{name}: the file is over {MAX_SPEC_BYTES // 1024 // 1024} MB, the limit for a spec"
                )
                continue
            documents = [d for d in yaml.load_all(raw.decode("utf-8"), Loader=_YAML_LOADER) if d is not None]
        except OSError as exc:
            out.problems.append(f"{name}: cannot read the file: {exc.strerror}; check the path")
            continue
        except UnicodeDecodeError:
            out.problems.append(f"{name}: not UTF-8 text; save the spec as UTF-8")
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(YAML)"
            out.problems.append(f"{name}: {at}: not valid YAML ({getattr(exc, 'problem', exc)}); fix the syntax there")
            continue
        if not documents:
            out.problems.append(f"{name}: the file holds no document; give OpenSLO v1 or Sloth specs")
        for number, doc in enumerate(documents, 1):
            if not isinstance(doc, dict):
                out.problems.append(f"{name}: document {number}: not a mapping; give an OpenSLO or Sloth spec")
                continue
            found = (
                "sloth"
                if is_sloth(doc)
                else "openslo"
                if str(doc.get("apiVersion", "")).startswith("openslo/")
                else None
            )
            if found is None:
                out.problems.append(
                    f"{name}: document {number}: neither OpenSLO (apiVersion: openslo/v1) nor Sloth (version: "
                    "prometheus/v1, or kind PrometheusServiceLevel); check the file"
                )
            elif expected is not None and found != expected:
                out.problems.append(
                    f"{name}: document {number}: is a {found} spec, not {expected}; import it as {found}"
                )
            elif found == "sloth":
                out.extend(read_sloth(name, number, doc))
            else:
                openslo_docs.append((name, number, doc))
    if openslo_docs:
        out.extend(read_openslo(openslo_docs))
    _duplicates(out)
    if out.problems:
        raise SpecError(out.problems)
    return out


def _duplicates(out: Imported) -> None:
    seen: dict[tuple[str, str], str] = {}
    for slo in out.slos:
        key = (slo.service, slo.slo["name"])
        if key in seen:
            out.problems.append(
                f"{slo.origin}: SLO {key[1]!r} of service {key[0]!r} is also defined at {seen[key]}; rename one of them"
            )
        seen.setdefault(key, slo.origin)


def spec_window(imported: Imported) -> tuple[str | None, str | None]:
    """The one window (and time zone) the specs agree on; ``SpecError`` when they differ."""
    kinds = {(kind, zone) for kind, zone, _ in imported.windows}
    if len(kinds) > 1:
        first = imported.windows[0]
        other = next(w for w in imported.windows if (w[0], w[1]) != (first[0], first[1]))
        raise SpecError(
            [
                f"{other[2]}: spec.timeWindow: {_window_name(other)} differs from {_window_name(first)} at "
                f"{first[2]}; a catalogue has one window and time zone for every SLO, so import them separately"
            ]
        )
    if not kinds:
        return None, None
    kind, zone = kinds.pop()
    return kind, zone


def _window_name(window: tuple[str, str | None, str]) -> str:
    return f"calendar month in {window[1] or 'UTC'}" if window[0] == "calendar-month" else "30 rolling days"


def expand_includes(data: Any, base_dir: Path) -> tuple[Any, list[str]]:
    """A catalogue mapping (and the specs' warnings) with the SLOs of its ``include:`` spec files added to ``services``.

    A service already in the catalogue keeps its keys (owner, email, ...) and gains the specs'
    SLOs. The specs' window and time zone fill in ``window``/``timezone`` when the catalogue
    does not set them, and must agree with them when it does."""
    if not isinstance(data, dict) or not data.get("include"):
        return data, []
    patterns = data["include"]
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise SpecError(["include: must be a list of file patterns, e.g. [slos/*.yaml]"])
    paths, shown, problems = [], [], []
    for index, pattern in enumerate(patterns):
        matches = sorted(glob.glob(str(base_dir / pattern), recursive=True))
        if not matches:
            problems.append(f"include[{index}]: {pattern!r} matches no file next to the catalogue; fix the pattern")
        for match in matches:
            if Path(match) not in paths:
                paths.append(Path(match))
                shown.append(str(Path(match).relative_to(base_dir)) if Path(match).is_relative_to(base_dir) else match)
    if problems:
        raise SpecError(problems)
    imported = read_specs(paths, shown=shown)
    merged = dict(data)
    kind, zone = spec_window(imported)
    conflicts = []
    if kind is not None:
        origin = imported.windows[0][2]
        if "window" in data and data["window"] != kind:
            conflicts.append(
                f"{origin}: spec.timeWindow: is {kind} but the catalogue's window is {data['window']}; make them agree"
            )
        merged.setdefault("window", kind)
        if zone is not None:
            if "timezone" in data and data["timezone"] != zone:
                conflicts.append(
                    f"{origin}: spec.timeWindow[0].calendar.timeZone: is {zone} but the catalogue's timezone is "
                    f"{data['timezone']}; make them agree"
                )
            merged.setdefault("timezone", zone)
    if conflicts:
        raise SpecError(conflicts)
    services = [dict(s) if isinstance(s, dict) else s for s in (data.get("services") or [])]
    by_name = {s.get("name"): s for s in services if isinstance(s, dict)}
    for slo in imported.slos:
        service = by_name.get(slo.service)
        if service is None:
            service = {"name": slo.service}
            if slo.service in imported.service_descriptions:
                service["description"] = imported.service_descriptions[slo.service]
            services.append(service)
            by_name[slo.service] = service
        service["slos"] = list(service.get("slos") or []) + [slo.slo]
    merged["services"] = services
    return merged, imported.warnings


def catalogue_yaml(imported: Imported, command: str, url: str | None) -> str:
    """The imported catalogue as YAML, each SLO preceded by a comment naming its origin."""
    kind, zone = spec_window(imported)
    url = url or (imported.prometheus_urls[0] if imported.prometheus_urls else None)
    lines = [
        f"# Written by `{command}`. Each SLO's comment names the spec it came from;",
        "# edit the specs and import again, or include them (include: [slos/*.yaml]) to keep them the source of truth.",
        "",
    ]
    lines.append(_dump({"title": "Imported SLOs"}))
    if kind is None:
        lines.append(
            "# The specs state no SLO period; Sloth's default is 30 days. Write calendar-month for calendar months."
        )
        kind = "30d"
    lines.append(_dump({"timezone": zone or "UTC", "window": kind}))
    if url is None:
        lines.append("# No Prometheus DataSource in the specs: set your server's URL here.")
    lines.append(_dump({"source": {"type": "prometheus", "url": url or "http://prometheus:9090", "step": "5m"}}))
    lines.append("services:")
    services: dict[str, list] = {}
    for slo in imported.slos:
        services.setdefault(slo.service, []).append(slo)
    for service, slos in services.items():
        head = {"name": service}
        if service in imported.service_descriptions:
            head["description"] = imported.service_descriptions[service]
        lines.append(_indent(_dump([head]), 2))
        lines.append("    slos:")
        for slo in slos:
            lines.append(f"      # from {slo.origin}")
            lines.append(_indent(_dump([slo.slo]), 6))
    return "\n".join(lines) + "\n"


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=1000).rstrip("\n")


def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.splitlines())
