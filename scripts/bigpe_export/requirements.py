"""The exporters' third-party packages, looked for before they are imported,
so that a missing one ends the exporter with one line naming it and how to
install it instead of a traceback. Needs nothing beyond the standard
library (it runs before torch is imported)."""
import importlib.util
import sys

DOCS = "docs/models.md, section Exporting"


def missing(needs):
    """needs: a list of requirements, each a list of alternatives
    (module, pip package); a requirement is met when any alternative can be
    imported. Returns the unmet ones, each as one phrase."""
    out = []
    for alternatives in needs:
        if any(importlib.util.find_spec(module) is not None for module, _ in alternatives):
            continue
        out.append(" or ".join(f"'{module}' (pip install {package})" for module, package in alternatives))
    return out


def require(script, needs):
    """Exits with a message naming every unmet requirement (see missing())."""
    unmet = missing(needs)
    if not unmet:
        return
    noun = "package" if len(unmet) == 1 else "packages"
    raise SystemExit(
        f"{script}: needs the Python {noun} {'; '.join(unmet)}, which {sys.executable} cannot import. "
        f"Install into this Python, with the same torch version as the workers' libtorch, or run the "
        f"exporter with a Python that has them ({DOCS}).")
