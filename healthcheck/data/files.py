"""The input files of a data folder: their names, which a year's book reads, and their hashes.

One definition for the package: validation names these files, the build fingerprints them,
the manifest hashes them and the provenance appendix lists them.
"""

from __future__ import annotations

from pathlib import Path

from healthcheck.data.inputfile import boundary_problem
from healthcheck.hashing import sha256

SETTINGS_FILE = "settings.yml"
BANK_FILE = "question_bank.yml"
# Files of a year's folder
YEAR_FILE = "survey.yml"
PUBLISHED_FILE = "published.csv"
QUOTES_FILE = "quotes.csv"
WORDS_FILE = "words.csv"
INDICATORS_FILE = "indicators.csv"
RECOMMENDATIONS_FILE = "recommendations.yml"
BENCHMARKS_FILE = "benchmarks.csv"
ORGANISATIONS_FILE = "organisations.csv"
NARRATIVE_DIR = "narrative"


def inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with links and '..' resolved, lies inside `folder`: an input file must
    not lead out of the data folder (a link to /etc/passwd would otherwise be published)."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except (ValueError, OSError, RuntimeError):  # outside, or a link loop
        return False
    return True


def year_folders(data_dir: Path, up_to: int | None = None) -> list[Path]:
    """The data folder's year folders (named like 2022), oldest first, up to a year if given."""
    if not Path(data_dir).is_dir():
        return []
    folders = [p for p in Path(data_dir).iterdir() if p.is_dir() and p.name.isdigit()]
    return sorted((p for p in folders if up_to is None or int(p.name) <= up_to), key=lambda p: int(p.name))


def input_files(data_dir: Path, year: int) -> list[Path]:
    """Every input a year's book reads: settings, question bank, and the folders of that year and earlier."""
    data_dir = Path(data_dir)
    files = [data_dir / SETTINGS_FILE, data_dir / BANK_FILE]
    for folder in year_folders(data_dir, year):
        files += sorted(p for p in folder.rglob("*") if p.is_file())
    # A link out of the data folder is refused by validate; it is never hashed (read) either.
    return [f for f in files if f.is_file() and boundary_problem(f, data_dir) is None]


def input_hashes(data_dir: Path, year: int) -> dict[str, str]:
    """SHA-256 of each input file, keyed by its path relative to the data folder (never a machine path)."""
    return {p.relative_to(data_dir).as_posix(): sha256(p) for p in input_files(data_dir, year)}
