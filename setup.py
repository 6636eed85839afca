"""Build step pyproject.toml cannot express: ship the built-in templates and the sample data.

The design card keeps speech_templates/, indicators.yaml and examples/ at the top
of the repository, where an office reads and edits them. A wheel must carry them
inside the package, so build_py copies them into generator/resources/ of the
build tree (never of the checkout); generator/resources.py looks there first and
falls back to the checkout, which is what an editable install uses.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# Top-level path → what it is called under generator/resources/ (resources.py reads these names).
SHIPPED = ("speech_templates", "indicators.yaml", "examples")
# The generator script of the sample sheets is for maintainers, not offices.
LEFT_OUT = shutil.ignore_patterns("make_sample.py", "__pycache__", "*.pyc")


class BuildWithResources(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout directly
        target = Path(self.build_lib) / "generator" / "resources"
        for name in SHIPPED:
            source, dest = HERE / name, target / name
            if not source.exists():
                raise SystemExit(f"setup.py: {source} is missing; build from a full checkout or sdist")
            if source.is_dir():
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(source, dest, ignore=LEFT_OUT)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest)


setup(cmdclass={"build_py": BuildWithResources})
