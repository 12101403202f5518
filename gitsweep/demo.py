"""`gitsweep demo`: build a small repository with a leak history and scan it.

The history is what responders meet in real incidents: a key pair added and
then renamed with its file, a `.env` committed and deleted, a webhook pasted
in a commit message, a token on a branch that was later deleted, a tag, and
placeholders and documented example keys that must not be reported.
"""

from __future__ import annotations

import random
from pathlib import Path

from . import fakes
from .gitbuild import GitBuilder

#: AWS's own documentation key: a scanner must not report it.
_AWS_DOC_KEY = "AKIAIOSFODNN7" + "EXAMPLE"


def build_demo_repository(path: str | Path, seed: int = 7) -> GitBuilder:
    """Build the demo history at `path` (an empty folder) and return it."""
    rng = random.Random(seed)
    key_id, key_secret = fakes.aws_key_pair(rng)
    stripe = fakes.stripe_live_key(rng)
    webhook = fakes.slack_webhook(rng)
    token = fakes.github_token(rng)

    repo = GitBuilder(path)
    repo.write("README.md", "# orders\n\nA small order service.\n")
    repo.write("app.py", "import os\n\nAPI_KEY = os.environ['API_KEY']\n")
    repo.commit("initial import")

    repo.write(
        "config/settings.py",
        "REGION = 'eu-west-1'\n"
        f"AWS_ACCESS_KEY_ID = '{key_id}'\n"
        f"AWS_SECRET_ACCESS_KEY = '{key_secret}'\n",
    )
    repo.write("docs/setup.md", f"Put your key in the env, e.g. `{_AWS_DOC_KEY}`.\n")
    repo.commit("add settings")

    repo.git("mv", "config/settings.py", "config/prod_settings.py")
    repo.commit("rename settings for production")

    repo.write(".env", f"STRIPE_SECRET_KEY={stripe}\nDEBUG=false\n")
    repo.commit("add env for billing")
    repo.git("rm", "-q", ".env")
    repo.write(".gitignore", ".env\n")
    repo.commit("remove .env, ignore it")

    repo.write("notify.py", "def notify(msg):\n    return msg\n")
    repo.commit("wire deploy notifications", "-m", f"Hook for now: {webhook}")

    repo.git("checkout", "-q", "-b", "experiment")
    repo.write("deploy.sh", f"#!/bin/sh\nexport GITHUB_TOKEN={token}\n./release\n")
    repo.commit("try deploy script")
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-q", "-D", "experiment")

    repo.write(
        "app.py", "import os\n\nAPI_KEY = os.environ['API_KEY']  # your-api-key\n"
    )
    repo.commit("document API_KEY")
    repo.git("tag", "-a", "v1.0", "-m", "first release")
    return repo
